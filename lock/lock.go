// Package lock keeps two deploys of one service from overlapping:
//
//	lease, err := (&lock.Locker{S3: s3Client, Bucket: "hello-deploys", Key: lock.Key("hello")}).Acquire(ctx, "deploy hello:1.4")
//	defer lease.Release(ctx)
//
// A deploy takes a lease — an object in the service's S3 bucket written with
// a conditional put (If-None-Match: *) — before it changes anything, renews
// it as it goes and releases it at the end. A lease whose holder crashed
// expires and can then be taken over (If-Match on its ETag, so that two
// takers cannot both win).
package lock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/internal/proc"
	"github.com/beanswap/beanswap/progress"
)

// Step names the lock in progress events.
const Step = "lock"

var (
	// ErrHeld is wrapped by *HeldError.
	ErrHeld = errors.New("deploy lock is held")
	// ErrLost: the lease was taken over (it had expired) or deleted.
	ErrLost = errors.New("deploy lock lost")
)

// S3API is what the lock calls; *s3.Client satisfies it.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Holder says who holds a lease; it is the object's content.
type Holder struct {
	Owner   string    `json:"owner"` // user@host
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	RunID   string    `json:"run_id"`
	Purpose string    `json:"purpose"`
	Started time.Time `json:"started"`
	Expires time.Time `json:"expires"`
}

func (h Holder) String() string {
	return fmt.Sprintf("%s (pid %d, %s) since %s, until %s", h.Owner, h.PID, h.Purpose, h.Started.UTC().Format(time.RFC3339), h.Expires.UTC().Format(time.RFC3339))
}

// HeldError reports a lease held by another deploy.
type HeldError struct {
	Location string
	Holder   Holder
	Waited   time.Duration
	// Dead: the holder ran on this host, and its process is gone (killed
	// with kill -9, a crash): the lease is stale, though not expired.
	Dead bool
}

func (e *HeldError) Error() string {
	msg := fmt.Sprintf("deploy lock %s is held by %s (run id %s)", e.Location, e.Holder, e.Holder.RunID)
	if e.Waited > 0 {
		msg += fmt.Sprintf("; waited %s", e.Waited.Round(time.Second))
	}
	if e.Dead {
		return msg + fmt.Sprintf("; its process (pid %d) is no longer running on this host: if no deploy of the service is running, free it with: beanswap unlock --run-id %s", e.Holder.PID, e.Holder.RunID)
	}
	return msg + "; retry when it is done, set lock_wait to wait for it, or, if its holder is gone for good, free it with: beanswap unlock --run-id " + e.Holder.RunID
}

// heldBy describes a lease held by h, telling whether its holder died.
func heldBy(location string, h Holder, waited time.Duration) *HeldError {
	e := &HeldError{Location: location, Holder: h, Waited: waited}
	if host, err := os.Hostname(); err == nil && h.Host == host && h.PID != os.Getpid() {
		if alive, known := proc.Alive(h.PID); known && !alive {
			e.Dead = true
		}
	}
	return e
}

func (e *HeldError) Unwrap() error { return ErrHeld }

// Locker takes leases on one key.
type Locker struct {
	S3     S3API
	Bucket string
	Key    string
	// TTL is how long a lease lasts unless renewed; default 1 hour.
	TTL time.Duration
	// Wait is how long Acquire waits for a held lease; 0 fails at once.
	Wait time.Duration
	// Clock times expiry and waiting; default the wall clock.
	Clock clock.Clock
	// Owner identifies this process; default user@hostname.
	Owner    string
	Observer progress.Observer
}

// Key returns the lease key of a service.
func Key(service string) string { return "beanswap/locks/" + service + ".json" }

// Lease is a held lock.
type Lease struct {
	l      *Locker
	etag   string
	holder Holder
}

// Holder returns what the lease object says.
func (le *Lease) Holder() Holder { return le.holder }

func (l *Locker) location() string { return "s3://" + l.Bucket + "/" + l.Key }

func (l *Locker) clock() clock.Clock { return clock.Or(l.Clock) }

func (l *Locker) ttl() time.Duration {
	if l.TTL <= 0 {
		return time.Hour
	}
	return l.TTL
}

// Acquire takes the lease for purpose. A lease held by another deploy is
// a *HeldError (after waiting up to Wait); an expired one is taken over.
func (l *Locker) Acquire(ctx context.Context, purpose string) (*Lease, error) {
	clk := l.clock()
	start := clk.Now()
	h := l.newHolder(purpose, start)
	delay := 5 * time.Second
	for attempt := 0; ; attempt++ {
		etag, err := l.put(ctx, h, "", true)
		if err == nil {
			return &Lease{l: l, etag: etag, holder: h}, nil
		}
		if !isPrecondition(err) {
			return nil, fmt.Errorf("take deploy lock %s: %w", l.location(), err)
		}
		current, curTag, err := l.read(ctx)
		switch {
		case errors.Is(err, errNoLease):
			continue // released meanwhile
		case err != nil:
			return nil, fmt.Errorf("read deploy lock %s: %w", l.location(), err)
		}
		now := clk.Now()
		if !now.Before(current.Expires) {
			h.Started, h.Expires = now, now.Add(l.ttl())
			etag, err := l.put(ctx, h, curTag, false)
			if err == nil {
				l.Observer.Emit(progress.Warning{At: now, Step: Step, Message: fmt.Sprintf("took over the expired deploy lock of %s", current)})
				return &Lease{l: l, etag: etag, holder: h}, nil
			}
			if !isPrecondition(err) {
				return nil, fmt.Errorf("take over deploy lock %s: %w", l.location(), err)
			}
			continue // another taker won; look again
		}
		waited := now.Sub(start)
		if waited >= l.Wait {
			return nil, heldBy(l.location(), current, waited)
		}
		if attempt == 0 {
			l.Observer.Emit(progress.Info{At: now, Step: Step, Message: fmt.Sprintf("waiting for the deploy lock held by %s", current)})
		}
		if err := clk.Sleep(ctx, min(delay, l.Wait-waited)); err != nil {
			return nil, fmt.Errorf("wait for deploy lock %s: %w", l.location(), err)
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// Renew extends the lease by the TTL. ErrLost means it is no longer ours.
func (le *Lease) Renew(ctx context.Context) error {
	h := le.holder
	h.Expires = le.l.clock().Now().Add(le.l.ttl())
	etag, err := le.l.put(ctx, h, le.etag, false)
	if isPrecondition(err) {
		return fmt.Errorf("renew deploy lock %s: %w", le.l.location(), ErrLost)
	}
	if err != nil {
		return fmt.Errorf("renew deploy lock %s: %w", le.l.location(), err)
	}
	le.etag, le.holder = etag, h
	return nil
}

// Release deletes the lease if it is still ours.
func (le *Lease) Release(ctx context.Context) error {
	_, tag, err := le.l.read(ctx)
	switch {
	case errors.Is(err, errNoLease):
		return nil
	case err != nil:
		return fmt.Errorf("release deploy lock %s: %w", le.l.location(), err)
	case tag != le.etag:
		return fmt.Errorf("release deploy lock %s: %w (someone took it over)", le.l.location(), ErrLost)
	}
	if _, err := le.l.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(le.l.Bucket), Key: aws.String(le.l.Key)}); err != nil {
		return fmt.Errorf("release deploy lock %s: %w", le.l.location(), err)
	}
	return nil
}

// ErrNoLease means there is no lease to break.
var ErrNoLease = errors.New("no deploy lock is held")

// ErrOtherHolder means the lease is held by another run than the one named.
var ErrOtherHolder = errors.New("deploy lock is held by another run")

// Current returns the lease's holder; ErrNoLease when there is none.
func (l *Locker) Current(ctx context.Context) (Holder, error) {
	h, _, err := l.read(ctx)
	if errors.Is(err, errNoLease) {
		return Holder{}, fmt.Errorf("%s: %w", l.location(), ErrNoLease)
	}
	if err != nil {
		return Holder{}, fmt.Errorf("read deploy lock %s: %w", l.location(), err)
	}
	return h, nil
}

// Break deletes the lease held by run runID, whether or not it expired:
// the way out after a deploy was killed. It breaks only that lease — one
// another run took meanwhile is left alone (ErrOtherHolder) — and
// returns the holder it removed.
func (l *Locker) Break(ctx context.Context, runID string) (Holder, error) {
	h, tag, err := l.read(ctx)
	switch {
	case errors.Is(err, errNoLease):
		return Holder{}, fmt.Errorf("%s: %w", l.location(), ErrNoLease)
	case err != nil:
		return Holder{}, fmt.Errorf("read deploy lock %s: %w", l.location(), err)
	case runID == "" || h.RunID != runID:
		return h, fmt.Errorf("%w: %s holds %s (run id %s), not run %q: nothing broken", ErrOtherHolder, h, l.location(), h.RunID, runID)
	}
	_, err = l.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key), IfMatch: aws.String(tag)})
	if isPrecondition(err) {
		return h, fmt.Errorf("%w: %s changed hands while being broken: nothing broken", ErrOtherHolder, l.location())
	}
	if err != nil {
		return h, fmt.Errorf("break deploy lock %s: %w", l.location(), err)
	}
	return h, nil
}

func (l *Locker) newHolder(purpose string, now time.Time) Holder {
	host, _ := os.Hostname()
	owner := l.Owner
	if owner == "" {
		name := "unknown"
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		owner = name + "@" + host
	}
	return Holder{
		Owner: owner, Host: host, PID: os.Getpid(),
		RunID:   strconv.FormatInt(now.UnixNano(), 36) + "-" + strconv.Itoa(os.Getpid()),
		Purpose: purpose, Started: now, Expires: now.Add(l.ttl()),
	}
}

// put writes the lease: only if absent (create), or only if its ETag is
// still ifMatch.
func (l *Locker) put(ctx context.Context, h Holder, ifMatch string, create bool) (string, error) {
	body, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(l.Bucket), Key: aws.String(l.Key),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
		ContentType: aws.String("application/json"), ServerSideEncryption: s3types.ServerSideEncryptionAes256,
	}
	if create {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(ifMatch)
	}
	out, err := l.S3.PutObject(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

var errNoLease = errors.New("no lease")

func (l *Locker) read(ctx context.Context) (Holder, string, error) {
	out, err := l.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(l.Bucket), Key: aws.String(l.Key)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) || errorCode(err) == "NoSuchKey" {
			return Holder{}, "", errNoLease
		}
		return Holder{}, "", err
	}
	defer out.Body.Close()
	var h Holder
	b, err := io.ReadAll(io.LimitReader(out.Body, 64<<10))
	if err != nil {
		return Holder{}, "", err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		// An unreadable lease is treated as expired: it cannot be renewed.
		h = Holder{Owner: "unreadable lease", Expires: time.Time{}}
	}
	return h, aws.ToString(out.ETag), nil
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isPrecondition reports S3's answer to a failed condition: 412
// PreconditionFailed, or 409 ConditionalRequestConflict when two
// conditional writes race.
func isPrecondition(err error) bool {
	switch errorCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && (status.HTTPStatusCode() == 412 || status.HTTPStatusCode() == 409)
}
