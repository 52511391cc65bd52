package views

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// agentWords is what the desk knows of video-KYC agents' remarks and ticked items: a level and
// the remark in plain words. Keys are lower case; anything else is shown verbatim, neutral.
var agentWords = map[string]struct{ level, text string }{
	"accepted":                 {StatusGreen, "the agent accepted the session"},
	"approved":                 {StatusGreen, "the agent approved the session"},
	"verified":                 {StatusGreen, "the agent verified the customer"},
	"success":                  {StatusGreen, "the agent completed the session"},
	"completed":                {StatusGreen, "the agent completed the session"},
	"rejected":                 {StatusRed, "the agent rejected the session"},
	"declined":                 {StatusRed, "the agent declined the session"},
	"failed":                   {StatusRed, "the session failed"},
	"recheck required":         {StatusRed, "the agent asks for the session to be checked again"},
	"face not clearly visible": {StatusRed, "the customer's face was not clearly visible"},
	"customer not visible":     {StatusRed, "the customer was not visible on the call"},
	"call dropped":             {StatusRed, "the call dropped before the end"},
	"document not clear":       {StatusRed, "the document was not clearly readable"},
	"document not shown":       {StatusRed, "the customer did not show the document"},
	"prompting observed":       {StatusRed, "someone prompted the customer"},
	"customer prompted":        {StatusRed, "someone prompted the customer"},
	"customer not in india":    {StatusRed, "the customer was not in India"},
	"internet slow":            {StatusAmber, "the connection was slow"},
	"poor lighting":            {StatusAmber, "the lighting was poor"},
	"background noise":         {StatusAmber, "there was background noise"},
}

// RemarkLevel is the status class of an agent's remark or ticked item: red for a negative one,
// green for a positive one, grey for one the desk does not know.
func RemarkLevel(remark string) string {
	if w, ok := agentWords[strings.ToLower(strings.TrimSpace(remark))]; ok {
		return w.level
	}
	return StatusGrey
}

// remarkText is the remark in plain words, "" when the desk does not know it.
func remarkText(remark string) string {
	return agentWords[strings.ToLower(strings.TrimSpace(remark))].text
}

// RemarkValues lists the remarks the desk knows, in their usual spelling, for filter suggestions.
func RemarkValues() []string {
	var out []string
	for k := range agentWords {
		out = append(out, titleWords(k))
	}
	sort.Strings(out)
	return out
}

// titleWords is "Recheck Required" for "recheck required".
func titleWords(s string) string {
	w := strings.Fields(s)
	for i := range w {
		w[i] = strings.ToUpper(w[i][:1]) + w[i][1:]
	}
	return strings.Join(w, " ")
}

// AgentItem is one remark or ticked item with its level and plain words.
type AgentItem struct {
	Value string
	Level string // a status class
	Text  string // plain words; "" when the desk does not know the value
}

// AgentVerdict is the video-KYC vendor agent's own verdict: the remark, the items they ticked and
// the feedback, at the top of Signals.
type AgentVerdict struct {
	Remark          *AgentItem
	Items           []AgentItem
	Feedback        string
	FeedbackMessage string
}

// Level is the verdict's colour: the remark's, else the worst ticked item's.
func (a AgentVerdict) Level() string {
	if a.Remark != nil {
		return a.Remark.Level
	}
	level := StatusGrey
	for _, it := range a.Items {
		if it.Level == StatusRed || (it.Level == StatusAmber && level != StatusRed) {
			level = it.Level
		}
	}
	return level
}

// BuildAgentVerdict reads fieldValues.Remark and ItemsToSelect, feedback and feedbackMessage; nil
// for other sources or when the agent left none of them.
func BuildAgentVerdict(s *store.Snapshot) *AgentVerdict {
	if s.Source != store.SourceVCIP {
		return nil
	}
	v := &AgentVerdict{Feedback: strings.TrimSpace(s.Feedback), FeedbackMessage: strings.TrimSpace(s.FeedbackMessage)}
	var fv map[string]json.RawMessage
	if json.Unmarshal(s.FieldValues, &fv) == nil {
		if r := textOf(field(fv, "Remark")); len(r) > 0 && r[0] != "" {
			v.Remark = &AgentItem{Value: r[0], Level: RemarkLevel(r[0]), Text: remarkText(r[0])}
		}
		for _, it := range textOf(field(fv, "ItemsToSelect")) {
			if it != "" {
				v.Items = append(v.Items, AgentItem{Value: it, Level: RemarkLevel(it), Text: remarkText(it)})
			}
		}
	}
	if v.Remark == nil && len(v.Items) == 0 && v.Feedback == "" && v.FeedbackMessage == "" {
		return nil
	}
	return v
}

// field finds a key whatever its case ("Remark", "remark").
func field(m map[string]json.RawMessage, key string) json.RawMessage {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// textOf reads a string, a number or an array of them as texts; anything else as its JSON.
func textOf(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one any
	if json.Unmarshal(raw, &one) != nil {
		return nil
	}
	if arr, ok := one.([]any); ok {
		var out []string
		for _, e := range arr {
			if t, ok := scalarText(e); ok {
				out = append(out, strings.TrimSpace(t))
			}
		}
		return out
	}
	if t, ok := scalarText(one); ok {
		return []string{strings.TrimSpace(t)}
	}
	return []string{strings.TrimSpace(string(raw))}
}
