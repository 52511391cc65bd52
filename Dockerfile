# syntax=docker/dockerfile:1
# KYC Desk image: a cgo build (mattn/go-sqlite3 needs gcc and libc headers), run on the
# same Debian release so the binary's glibc matches. Build: docker build -t kycdesk .
# Run: docker run -p 8080:8080 -v kycdesk-data:/data kycdesk

FROM golang:1.26-bookworm AS build
# The golang image already ships gcc and libc6-dev; cgo is on for go-sqlite3.
ENV CGO_ENABLED=1
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The version `kycdesk version` prints; .git is not in the build context, so pass it:
# docker build --build-arg VERSION=$(git describe --always --dirty) -t kycdesk .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kycdesk ./cmd/kycdesk

FROM debian:bookworm-slim
# ca-certificates for outbound TLS; tzdata so time zones other than UTC load.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 kycdesk \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin kycdesk \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
COPY --from=build /out/kycdesk /usr/local/bin/kycdesk
USER 10001:10001
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/kycdesk"]
CMD ["serve","--addr","0.0.0.0:8080","--data","/data"]
