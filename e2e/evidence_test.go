package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// testRecordingMissing: a video-KYC session whose recording cannot be fetched (nothing answers at
// the vendor's link) opens with Allow disabled and the sentence saying why; the shortcut a does not pick
// it; the reviewer declines as "Recording unavailable".
func testRecordingMissing(t *testing.T, env *appEnv) {
	ctx := context.Background()
	body := webtest.VCIP{SessionID: "vk-norec-0001", Name: "NO RECORDING", Country: "IN", City: "Pune", IP: "49.36.5.5",
		Latitude: "18.5204", Longitude: "73.8567", VideoURL: "http://127.0.0.1:1/recording.webm"}.Body() // nothing listens there

	env.postWebhook(t, delivery{key: "norec", source: store.SourceVCIP, body: body})
	ids, err := env.app.DB().CasesByRef(ctx, store.SourceVCIP, []string{"vk-norec-0001"})
	if err != nil || ids["vk-norec-0001"] == 0 {
		t.Fatalf("CasesByRef: %v %v", ids, err)
	}
	page := env.pageAs(t, "tomas")
	failOnDialog(t, page)
	gotoPath(t, page, fmt.Sprintf("/cases/%d", ids["vk-norec-0001"]))
	must(t, page.GetByTestId("claim").Click())
	if err := expect.Locator(page.GetByTestId("decision-form")).ToBeVisible(); err != nil {
		t.Fatalf("claim: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("outcome-allow")).ToBeDisabled(); err != nil {
		t.Errorf("Allow while the recording is missing: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("allow-blocked")).ToContainText("An allow needs the call's recording archived"); err != nil {
		t.Errorf("the sentence beside Allow: %v", err)
	}
	must(t, page.Locator("body").Press("a"))
	if checked, err := page.GetByTestId("outcome-allow").IsChecked(); err != nil || checked {
		t.Errorf("the shortcut a picked the disabled Allow (checked %v, %v)", checked, err)
	}
	must(t, page.GetByTestId("outcome-decline").Check())
	_, err = page.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"recording_unavailable"}})
	must(t, err)
	must(t, page.GetByTestId("note").Fill("The recording could not be fetched from the vendor."))
	must(t, page.GetByTestId("confirm").Check())
	must(t, page.GetByTestId("then-next").Uncheck())
	must(t, page.GetByTestId("record-decision").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("second approval"); err != nil {
		t.Fatalf("decline: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("banner-pending")).ToContainText("Recording unavailable"); err != nil {
		t.Errorf("pending banner: %v (%q)", err, strings.TrimSpace(mustText(t, page.GetByTestId("banner-pending"))))
	}
}
