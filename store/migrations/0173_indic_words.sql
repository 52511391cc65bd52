-- Names in the scripts of India are one word each again. unicode61 takes combining marks for
-- separators, and the vowel signs, viramas and nuktas of Devanagari, Bengali, Gurmukhi, Gujarati,
-- Oriya, Tamil, Telugu, Kannada, Malayalam and Sinhala are combining marks: कुमार was split into
-- the letters क, म and र. The tokenizer now takes every combining mark of U+0900–U+0DFF (general
-- categories Mn and Mc) as a word character; store/search_words.go's indicMark is the same set.
DROP TABLE case_tokens;
CREATE VIRTUAL TABLE case_tokens USING fts3tokenize(unicode61, "remove_diacritics=2", "tokenchars=ऀँंःऺऻ़ािीुूृॄॅॆेैॉॊोौ्ॎॏ॒॑॓॔ॕॖॗॢॣঁংঃ়ািীুূৃৄেৈোৌ্ৗৢৣ৾ਁਂਃ਼ਾਿੀੁੂੇੈੋੌ੍ੑੰੱੵઁંઃ઼ાિીુૂૃૄૅેૈૉોૌ્ૢૣૺૻૼ૽૾૿ଁଂଃ଼ାିୀୁୂୃୄେୈୋୌ୍୕ୖୗୢୣஂாிீுூெேைொோௌ்ௗఀఁంఃఄ఼ాిీుూృౄెేైొోౌ్ౕౖౢౣಁಂಃ಼ಾಿೀುೂೃೄೆೇೈೊೋೌ್ೕೖೢೣೳഀഁംഃ഻഼ാിീുൂൃൄെേൈൊോൌ്ൗൢൣඁංඃ්ාැෑිීුූෘෙේෛොෝෞෟෲෳ");

-- The cases already indexed get their whole words in the background (store/backfill.go): first
-- beside their letters, while searches still fold as before, then alone. Neither fill has
-- anything to do when no word is in those scripts (a new desk, or one without such names).
INSERT INTO backfills (name, next_id, done_at) SELECT name, 0,
	CASE WHEN NOT EXISTS (SELECT 1 FROM case_terms INDEXED BY case_terms_queue WHERE term >= char(2304) AND term < char(3584))
	THEN strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000000Z' END -- TimeFormat
	FROM (SELECT 'indic_words' AS name UNION ALL SELECT 'indic_letters');
