package export

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCRC32CombineIsTheCRCOfTheWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<16)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, n := range []int{0, 1, 7, 100, 4096, len(data)} {
		for _, cut := range []int{0, n / 3, n / 2, n} {
			a, b := data[:cut], data[cut:n]
			want := crc32.ChecksumIEEE(data[:n])
			if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b))); got != want {
				t.Errorf("%d bytes cut at %d: combined %08x, want %08x", n, cut, got, want)
			}
		}
	}
}
