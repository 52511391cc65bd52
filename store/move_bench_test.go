package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkMove measures the mover alone: b.N acknowledged callbacks wait in the inbox, and the
// timer runs while moveTx moves them into the main database and derives their cases, as the
// deriver does with a backlog. Seven in ten open a case; the rest are the manual review's final
// result for a case opened earlier. Each has three files, a fraud tag and a name of three words.
// It reports the mover's cost a callback (µs/callback: three in ten update a case rather than
// open one) and its ceiling (callbacks/s).
func BenchmarkMove(b *testing.B) {
	db := openTest(b)
	ctx := context.Background()
	given := []string{"ANNA", "RAHUL", "PRIYA", "MOHAMMED", "SITA", "JOHN", "LAKSHMI", "ARJUN"}
	family := []string{"KOVALENKO", "KUMAR", "SINGH", "SHARMA", "PATEL", "OKAFOR", "REDDY", "IYER"}
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	var items []*Incoming
	opened := 0
	for i := 0; i < b.N; i++ {
		ref, final, overall := fmt.Sprintf("m-%d", opened), false, StatusSuspected
		if i%10 >= 7 && opened > 0 {
			ref, final, overall = fmt.Sprintf("m-%d", opened-1), true, StatusApproved
		} else {
			opened++
		}
		s := markSnap(ref, overall, final, "FACE_SUSPECTED")
		s.Person = Person{FirstName: given[i%len(given)] + " " + given[(i/8)%len(given)], LastName: family[(i/3)%len(family)]}
		s.Media = []MediaRef{
			{Kind: MediaFront, URL: "https://media.example.test/" + ref + "/front.png"},
			{Kind: MediaBack, URL: "https://media.example.test/" + ref + "/back.png"},
			{Kind: MediaFace, URL: "https://media.example.test/" + ref + "/face.png"},
		}
		items = append(items, incoming(s, fmt.Sprintf(`{"scanRef":%q,"n":%d}`, ref, i), t0.Add(time.Duration(i)*time.Millisecond)))
	}
	var jobs []deriveJob
	for len(items) > 0 {
		batch := items[:min(128, len(items))]
		items = items[len(batch):]
		res, rows, err := db.insertInboxBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		for i, in := range batch {
			jobs = append(jobs, deriveJob{id: res[i].DeliveryID, received: rows[i].received, row: &rows[i],
				snap: in.Snapshot, snapJSON: in.snapJSON})
		}
	}
	b.ResetTimer()
	start := time.Now()
	for len(jobs) > 0 {
		used, _, err := db.moveTx(ctx, jobs, min(moveBatch, len(jobs)), false)
		if err != nil {
			b.Fatal(err)
		}
		jobs = jobs[used:]
	}
	elapsed := time.Since(start)
	b.StopTimer()
	var cases int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&cases); err != nil {
		b.Fatal(err)
	}
	if cases != opened {
		b.Fatalf("%d cases after the move, want %d", cases, opened)
	}
	b.ReportMetric(float64(elapsed.Microseconds())/float64(b.N), "µs/callback")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "callbacks/s")
}
