package e2e

import (
	"bytes"
	"encoding/binary"
	"math"
)

// webmFrame is one encoded VP8 frame and its time in the video.
type webmFrame struct {
	ms   int64
	key  bool
	data []byte
}

// muxWebM puts VP8 frames, in order, into a WebM file: the EBML header, then a segment with its
// duration, one video track, a cluster per key frame (SimpleBlocks) and cues, so that a player
// knows the length at once and seeks by the cues. Every element's size is written in 8 bytes.
// With durationMS 0 the file has neither duration nor cues, as a live recording's WebM may not.
func muxWebM(frames []webmFrame, width, height int, durationMS int64) []byte {
	header := ebml(0x1A45DFA3, ebmlUint(0x4286, 1), ebmlUint(0x42F7, 1), ebmlUint(0x42F2, 4), ebmlUint(0x42F3, 8),
		ebml(0x4282, []byte("webm")), ebmlUint(0x4287, 2), ebmlUint(0x4285, 2))
	var body bytes.Buffer
	info := [][]byte{ebmlUint(0x2AD7B1, 1000000)} // TimecodeScale: milliseconds
	if durationMS > 0 {
		info = append(info, ebmlFloat(0x4489, float64(durationMS)))
	}
	body.Write(ebml(0x1549A966, append(info, // Info
		ebml(0x4D80, []byte("kycdesk e2e")), ebml(0x5741, []byte("kycdesk e2e")))...))
	body.Write(ebml(0x1654AE6B, ebml(0xAE, // Tracks, TrackEntry
		ebmlUint(0xD7, 1), ebmlUint(0x73C5, 1), ebmlUint(0x83, 1), ebml(0x86, []byte("V_VP8")),
		ebml(0xE0, ebmlUint(0xB0, uint64(width)), ebmlUint(0xBA, uint64(height))))))
	var cues [][]byte
	for i := 0; i < len(frames); {
		start := frames[i].ms
		cluster := [][]byte{ebmlUint(0xE7, uint64(start))} // Timecode
		for j := i; j < len(frames) && (j == i || !frames[j].key); j++ {
			flags := byte(0)
			if frames[j].key {
				flags = 0x80
			}
			var rel [2]byte
			binary.BigEndian.PutUint16(rel[:], uint16(int16(frames[j].ms-start)))
			// SimpleBlock: track 1, time relative to the cluster, flags, the frame.
			cluster = append(cluster, ebml(0xA3, []byte{0x81}, rel[:], []byte{flags}, frames[j].data))
			i = j + 1
		}
		// CuePoint: CueTime, CueTrackPositions (track, the cluster's offset in the segment).
		cues = append(cues, ebml(0xBB, ebmlUint(0xB3, uint64(start)), ebml(0xB7, ebmlUint(0xF7, 1), ebmlUint(0xF1, uint64(body.Len())))))
		body.Write(ebml(0x1F43B675, cluster...))
	}
	if durationMS > 0 {
		body.Write(ebml(0x1C53BB6B, cues...))
	}
	return append(header, ebml(0x18538067, body.Bytes())...)
}

// ebml is one EBML element: its ID, its size (an 8-byte vint) and its body.
func ebml(id uint32, parts ...[]byte) []byte {
	var idb [4]byte
	binary.BigEndian.PutUint32(idb[:], id)
	i := 0
	for i < 3 && idb[i] == 0 {
		i++
	}
	body := bytes.Join(parts, nil)
	var size [8]byte
	binary.BigEndian.PutUint64(size[:], uint64(len(body)))
	size[0] = 0x01
	return append(append(append([]byte(nil), idb[i:]...), size[:]...), body...)
}

// ebmlUint is an unsigned integer element in as few bytes as it needs.
func ebmlUint(id uint32, v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	i := 0
	for i < 7 && b[i] == 0 {
		i++
	}
	return ebml(id, b[i:])
}

// ebmlFloat is an 8-byte float element.
func ebmlFloat(id uint32, v float64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], math.Float64bits(v))
	return ebml(id, b[:])
}
