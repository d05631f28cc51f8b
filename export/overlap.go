package export

import (
	"errors"
	"sync/atomic"

	"github.com/attend/attend/store"
)

// overlap writes batches in a goroutine of its own, one batch behind the
// reading, so that the next batch is read from the database (scanning rows
// takes about as long as writing them as CSV) while one is written: the
// two use both cores instead of taking turns (docs/PERFORMANCE.md). At most
// three batches are held: one being written, one waiting, one being read.
type overlap struct {
	write   func([]store.Attendee) error
	batches chan []store.Attendee
	spare   chan []store.Attendee
	done    chan struct{}
	failed  atomic.Bool
	err     error // the writer's, read once done is closed
}

// errWriteFailed stops the reading once a batch could not be written; the
// writer's own error is the one reported.
var errWriteFailed = errors.New("export: writing failed")

func newOverlap(write func([]store.Attendee) error) *overlap {
	o := &overlap{write: write, batches: make(chan []store.Attendee, 1),
		spare: make(chan []store.Attendee, 2), done: make(chan struct{})}
	go o.run()
	return o
}

func (o *overlap) run() {
	defer close(o.done)
	for b := range o.batches {
		if o.err == nil {
			if o.err = o.write(b); o.err != nil {
				o.failed.Store(true)
			}
		}
		select {
		case o.spare <- b[:0]:
		default:
		}
	}
}

// add hands a copy of batch to the writer (EachAttendee keeps the slice).
func (o *overlap) add(batch []store.Attendee) error {
	if o.failed.Load() {
		return errWriteFailed
	}
	var b []store.Attendee
	select {
	case b = <-o.spare:
	default:
	}
	o.batches <- append(b, batch...)
	return nil
}

// wait ends the writing once every batch added is written, and returns the
// writer's error, if any.
func (o *overlap) wait() error {
	close(o.batches)
	<-o.done
	return o.err
}
