package swap

import (
	"errors"
	"fmt"
)

// Stages at which a swap can stop, as Error.Stage says.
const (
	// StageAccept: the candidate failed its checks before the swap.
	StageAccept = "accept"
	// StageSwap: the CNAME swap itself failed or was refused.
	StageSwap = "swap"
	// StageVerify: the live URL failed its checks after the swap.
	StageVerify = "verify"
)

// ErrNotReady means an environment to swap is not Ready and healthy.
var ErrNotReady = errors.New("environment not ready for a swap")

// ErrInvalidInput is wrapped by errors about a swap's Input.
var ErrInvalidInput = errors.New("invalid swap input")

// Error reports a swap that did not end with the candidate live. It says
// at which stage it stopped, where live traffic is, and whether it was
// swapped back.
type Error struct {
	// Stage is StageAccept, StageSwap or StageVerify.
	Stage string
	// Live is where live traffic is now, as far as known; "" when it may
	// be on either environment.
	Live string
	// Candidate is the environment that was to go live.
	Candidate string
	// Previous is the environment that was live before the swap.
	Previous string
	// LiveCNAME is the live CNAME.
	LiveCNAME string
	// Swapped: the CNAME swap call was made (the candidate may have held
	// the live CNAME for a while).
	Swapped bool
	// SwappedBack is true when verification failed and the original live
	// environment holds the live CNAME again.
	SwappedBack bool
	// Err is the first failure; SwapBackErr the failure to swap back.
	Err         error
	SwapBackErr error
}

func (e *Error) Error() string {
	switch {
	case e.SwapBackErr != nil || e.Live == "":
		cause := ""
		if e.SwapBackErr != nil {
			cause = fmt.Sprintf("; swapping back FAILED too: %v", e.SwapBackErr)
		}
		return fmt.Sprintf("%s failed: %v%s; live traffic may be on either environment (%s or %s): run status and check now", e.Stage, e.Err, cause, e.Candidate, e.Previous)
	case e.SwappedBack:
		return fmt.Sprintf("%s failed: %v; swapped back, %s is live again", e.Stage, e.Err, e.Live)
	default:
		return fmt.Sprintf("%s failed: %v; live traffic on %s", e.Stage, e.Err, e.Live)
	}
}

func (e *Error) Unwrap() []error {
	if e.SwapBackErr != nil {
		return []error{e.Err, e.SwapBackErr}
	}
	return []error{e.Err}
}

// Uncertain reports whether live traffic may be on either environment:
// the swap call was made and neither its end nor a swap back was seen.
func (e *Error) Uncertain() bool { return e.Live == "" || e.SwapBackErr != nil }

// RecordError reports a swap that succeeded (the candidate is live and
// verified on the live CNAME) whose Route53 record of the live host could
// not be updated: traffic through the live host may still go elsewhere.
type RecordError struct {
	Live, LiveCNAME, Host string
	Err                   error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("%s is live on %s, but pointing %s at it failed: %v; check the record now", e.Live, e.LiveCNAME, e.Host, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }
