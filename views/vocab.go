package views

import "strings"

// The Mark ID vocabulary in plain language. Every value the webhook specification lists has one short
// line a compliance officer can act on; values missing here are shown verbatim as not in the vocabulary,
// because the vendor warns that new tags may appear at any time.

var fraudTagText = map[string]string{
	"FACE_SUSPECTED":                "The automatic check suspects the selfie is not a live, genuine face.",
	"FACE_BLACKLISTED":              "The selfie matches a face on your blocklist.",
	"DOC_FACE_BLACKLISTED":          "The photo on the document matches a face on your blocklist.",
	"DOC_MOBILE_PHOTO":              "The document was shown on a phone screen, not held up in person.",
	"DEV_TOOLS_OPENED":              "The customer opened browser developer tools during the session.",
	"DOC_PRINT_SPOOFED":             "The document looks like a paper printout, not the original.",
	"FAKE_PHOTO":                    "A photo in this session looks fake.",
	"AML_SUSPECTION":                "The customer was found on a PEP or sanctions list.",
	"AML_FAILED":                    "The AML (PEP and sanctions) check could not be completed.",
	"LID_SUSPECTION":                "The document is in the lost, stolen or invalid documents database.",
	"LID_FAILED":                    "The lost and stolen documents check could not be completed.",
	"UTILITY_ADDRESS_CHECK_FAILURE": "The address on the utility bill could not be confirmed.",
	"VIRTUAL_CAMERA":                "A virtual camera was probably used instead of a real one.",
	"FACE_IN_BLACKLIST":             "The selfie face is on your blocklist.",
	"DOC_FACE_IN_BLACKLIST":         "The face on the document is on your blocklist.",
	"DUPLICATE_FACE":                "The same selfie face appears in another verification.",
	"DUPLICATE_DOC_FACE":            "The same document face appears in another verification.",
}

var mismatchTagText = map[string]string{
	"NAME":                                 "The first name differs from the one you sent.",
	"SURNAME":                              "The last name differs from the one you sent.",
	"DOCUMENT_NUMBER":                      "The document number differs from the one you sent.",
	"PERSONAL_CODE":                        "The personal code differs from the one you sent.",
	"EXPIRY_DATE":                          "The expiry date differs from the one you sent.",
	"DATE_OF_BIRTH":                        "The date of birth differs from the one you sent.",
	"DATE_OF_ISSUE":                        "The date of issue differs from the one you sent.",
	"FULL_NAME":                            "The full name differs from the one you sent.",
	"UNDER_AGE":                            "The customer is younger than the minimum age you set.",
	"UNKNOWN_AGE":                          "The customer's age could not be worked out from the document.",
	"SEX":                                  "The sex differs from the one you sent.",
	"NATIONALITY":                          "The nationality differs from the one you sent.",
	"INVALID_ADDITIONAL_STEP":              "An additional step (such as a utility bill) was not valid.",
	"ADDITIONAL_STEP_NOT_FOUND":            "A required additional step (such as a utility bill) was not provided.",
	"GDC_NOT_MATCH":                        "The data you sent was not found in the global data sources.",
	"DOC_INFO_MISMATCH":                    "Information read from the document is inconsistent.",
	"ADDITIONAL_STEP_INFORMATION_MISMATCH": "The additional step's information differs from the document.",
	"EXPIRED_ADDITIONAL_STEP_INFORMATION":  "The additional step's document (such as a utility bill) is too old.",
}

var statusText = map[string]string{
	// overall
	"APPROVED":  "Verification passed: the vendor approved the face and the document.",
	"DENIED":    "Verification failed: the vendor denied it.",
	"SUSPECTED": "Face and document may have passed, but the vendor found discrepancies; you decide.",
	"EXPIRED":   "The session expired before the customer completed verification.",

	// autoFace / manualFace
	"FACE_MATCH":        "The selfie matches the photo on the document.",
	"FACE_MISMATCH":     "The selfie does not match the photo on the document.",
	"NO_FACE_FOUND":     "No face could be found in the selfie.",
	"TOO_MANY_FACES":    "More than one face is visible in the selfie.",
	"FACE_TOO_BLURRY":   "The selfie is too blurry to compare.",
	"FACE_GLARED":       "Glare on the selfie prevents comparison.",
	"FACE_UNCERTAIN":    "The face comparison was inconclusive.",
	"FACE_NOT_ANALYSED": "The face was not analysed.",
	"FACE_ERROR":        "The face check failed with a technical error.",
	"AUTO_UNVERIFIABLE": "The automatic check could not decide; a person has to review it.",
	"FAKE_FACE":         "The selfie is not of a live person (a photo, screen or mask).",

	// autoDocument / manualDocument
	"DOC_VALIDATED":             "The document is genuine and valid.",
	"DOC_INFO_MISMATCH":         "Information read from the document is inconsistent.",
	"DOC_NOT_FOUND":             "No document could be found in the photos.",
	"DOC_NOT_FULLY_VISIBLE":     "Part of the document is cut off or covered.",
	"DOC_NOT_SUPPORTED":         "This type of document is not supported.",
	"DOC_FACE_NOT_FOUND":        "No face could be found on the document.",
	"DOC_TOO_BLURRY":            "The document photo is too blurry to read.",
	"DOC_GLARED":                "Glare on the document hides its details.",
	"DOC_FACE_GLARED":           "Glare covers the face on the document.",
	"MRZ_NOT_FOUND":             "The machine-readable zone (MRZ) could not be found.",
	"MRZ_OCR_READING_ERROR":     "The machine-readable zone (MRZ) could not be read.",
	"BARCODE_NOT_FOUND":         "The document's barcode could not be found.",
	"DOC_EXPIRED":               "The document has expired.",
	"COUNTRY_MISMATCH":          "The document is from a different country than the one selected.",
	"DOC_TYPE_MISMATCH":         "The document is a different type than the one selected.",
	"DOC_SIDE_MISMATCH":         "The front and back belong to different documents, or a side is wrong.",
	"DOC_DAMAGED":               "The document is damaged.",
	"DOC_FAKE":                  "The document is fake or has been tampered with.",
	"DOC_ERROR":                 "The document check failed with a technical error.",
	"DOC_NOT_ANALYSED":          "The document was not analysed.",
	"DOC_NAME_ERROR":            "The first name on the document could not be read correctly.",
	"DOC_SURNAME_ERROR":         "The last name on the document could not be read correctly.",
	"DOC_EXPIRY_ERROR":          "The expiry date on the document could not be read correctly.",
	"DOC_DOB_ERROR":             "The date of birth on the document could not be read correctly.",
	"DOC_PERSONAL_NUMBER_ERROR": "The personal number on the document could not be read correctly.",
	"DOC_NUMBER_ERROR":          "The document number could not be read correctly.",
	"DOC_DATE_OF_ISSUE_ERROR":   "The date of issue on the document could not be read correctly.",
	"DOC_SEX_ERROR":             "The sex on the document could not be read correctly.",
	"DOC_NATIONALITY_ERROR":     "The nationality on the document could not be read correctly.",
	"COUNTRY_NOT_SUPPORTED":     "Documents from this country are not supported.",
	"DOC_PERSONAL_CODE_INVALID": "The personal code on the document is not valid.",
	"DOC_SPOOF_DETECTED":        "The document appears to be a copy, screen or printout, not the original.",
	"MRZ_INVALID":               "The machine-readable zone (MRZ) fails its checks.",

	// additionalSteps
	"VALID":     "The additional step was checked and is valid.",
	"INVALID":   "The additional step was checked and is not valid.",
	"NOT_FOUND": "The additional step was not provided.",

	// ageEstimate
	"UNDER_13": "The selfie suggests the customer is under 13.",
	"OVER_13":  "The selfie suggests the customer is over 13 (age 18 not confirmed).",
	"OVER_18":  "The selfie suggests the customer is over 18.",
	"OVER_22":  "The selfie suggests the customer is over 22.",
	"OVER_25":  "The selfie suggests the customer is over 25.",
	"OVER_30":  "The selfie suggests the customer is over 30.",

	// clientIpProxyRiskLevel
	"VERY_LOW":    "Very low risk that the customer's IP address is a proxy or VPN.",
	"LOW":         "Low risk that the customer's IP address is a proxy or VPN.",
	"MEDIUM":      "Medium risk that the customer's IP address is a proxy or VPN.",
	"HIGH":        "High risk that the customer's IP address is a proxy or VPN.",
	"VERY_HIGH":   "Very high risk that the customer's IP address is a proxy or VPN.",
	"NOT_CHECKED": "The IP address was not checked for a proxy or VPN.",
}

// FraudTagExplanation is the plain-language meaning of a fraudTags (or suspicionReasons) value,
// or "" when the vendor's vocabulary does not list it.
func FraudTagExplanation(tag string) string { return fraudTagText[norm(tag)] }

// MismatchTagExplanation is the plain-language meaning of a mismatchTags value, or "" when unknown.
func MismatchTagExplanation(tag string) string { return mismatchTagText[norm(tag)] }

// StatusExplanation is the plain-language meaning of an overall, face, document, additional-step,
// age-estimate or proxy-risk value, or "" when unknown.
func StatusExplanation(value string) string { return statusText[norm(value)] }

// TagExplanation looks a value up as a fraud tag, then a mismatch tag, then a status: for places
// that show tags without saying which list they came from, such as the queue.
func TagExplanation(value string) string {
	if s := FraudTagExplanation(value); s != "" {
		return s
	}
	if s := MismatchTagExplanation(value); s != "" {
		return s
	}
	return StatusExplanation(value)
}

func norm(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
