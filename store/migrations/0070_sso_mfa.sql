-- Sign-in with the bank's identity provider (OpenID Connect) and a second factor for local accounts.

-- An SSO account is keyed by its provider's (issuer, subject), never by e-mail or username.
CREATE TABLE user_identities (
	issuer     TEXT    NOT NULL,
	subject    TEXT    NOT NULL,
	user_id    INTEGER NOT NULL UNIQUE REFERENCES users(id),
	created_at TEXT    NOT NULL,
	PRIMARY KEY (issuer, subject)
);

-- One row per sign-in started at the provider: single-use (deleted when the browser returns),
-- bound to the browser that started it, valid for 10 minutes.
CREATE TABLE oidc_logins (
	state_hash   TEXT PRIMARY KEY,   -- sha256 of the state sent to the provider
	browser_hash TEXT NOT NULL,      -- sha256 of the random value in the starting browser's cookie
	nonce        TEXT NOT NULL,
	verifier     TEXT NOT NULL,      -- PKCE code verifier
	next         TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL
);
CREATE INDEX oidc_logins_created ON oidc_logins(created_at);

-- A password that was right, waiting for its second factor (or for the user to enrol one).
-- The browser holds the random token; the row lives 10 minutes.
CREATE TABLE login_challenges (
	id         TEXT    PRIMARY KEY,  -- sha256 of the token in the browser's cookie
	user_id    INTEGER NOT NULL REFERENCES users(id),
	stage      TEXT    NOT NULL,     -- 'totp' (enter a code) or 'enrol' (set up an authenticator first)
	next       TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges(user_id);

-- TOTP (RFC 6238). confirmed_at is NULL while enrolment waits for the first code.
-- last_step is the newest 30-second step accepted, so a code cannot be used twice.
CREATE TABLE user_totp (
	user_id      INTEGER PRIMARY KEY REFERENCES users(id),
	secret       TEXT    NOT NULL,
	confirmed_at TEXT,
	last_step    INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT    NOT NULL
);

-- One-time recovery codes, stored as SHA-256 of the code (each code carries 60 random bits).
CREATE TABLE user_recovery_codes (
	user_id   INTEGER NOT NULL REFERENCES users(id),
	code_hash TEXT    NOT NULL,
	used_at   TEXT,
	PRIMARY KEY (user_id, code_hash)
);
