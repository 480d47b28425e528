package beanstalktest

import (
	"fmt"
	"net/http"
)

// serveSTS answers GetCallerIdentity, which deploy tools use to learn the
// account (for S3's ExpectedBucketOwner).
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	_ = r.ParseForm()
	if a := r.PostForm.Get("Action"); a != "GetCallerIdentity" {
		writeError(w, &APIError{Code: CodeInvalidAction, Message: fmt.Sprintf("the simulator's STS only answers GetCallerIdentity, not %q", a)}, requestID)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
		`<Arn>arn:aws:iam::%[1]s:user/beanstalktest</Arn><UserId>AIDABEANSTALKTEST</UserId><Account>%[1]s</Account>`+
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>%[2]s</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		s.opts.AccountID, requestID)
}
