package beanstalktest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The simulator answers IAM's GetInstanceProfile, which deploy tools call
// to check an environment's instance profile exists before a launch that
// would otherwise fail ten minutes later. The profiles it knows are
// Options.InstanceProfiles and those AddInstanceProfile adds.

// AddInstanceProfile makes an instance profile exist.
func (s *Server) AddInstanceProfile(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.st.profiles, name) {
		s.st.profiles = append(s.st.profiles, name)
	}
}

// RemoveInstanceProfile makes an instance profile not exist.
func (s *Server) RemoveInstanceProfile(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.profiles = slices.DeleteFunc(s.st.profiles, func(p string) bool { return p == name })
}

func (st *state) hasProfile(name string) bool {
	// An ARN names the profile by its last path element.
	if i := strings.LastIndexByte(name, '/'); strings.HasPrefix(name, "arn:") && i >= 0 {
		name = name[i+1:]
	}
	return slices.Contains(st.profiles, name)
}

func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	_ = r.ParseForm()
	const ns = "https://iam.amazonaws.com/doc/2010-05-08/"
	iamError := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns=%q><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, ns, code, msg, requestID)
	}
	if a := r.PostForm.Get("Action"); a != "GetInstanceProfile" {
		iamError(http.StatusBadRequest, CodeInvalidAction, fmt.Sprintf("the simulator's IAM only answers GetInstanceProfile, not %q", a))
		return
	}
	name := r.PostForm.Get("InstanceProfileName")
	s.mu.Lock()
	known := s.st.hasProfile(name)
	s.mu.Unlock()
	if !known {
		iamError(http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Instance Profile %s cannot be found.", name))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetInstanceProfileResponse xmlns=%[1]q><GetInstanceProfileResult><InstanceProfile>`+
		`<Path>/</Path><InstanceProfileName>%[2]s</InstanceProfileName><InstanceProfileId>AIPABEANSTALKTEST</InstanceProfileId>`+
		`<Arn>arn:aws:iam::%[3]s:instance-profile/%[2]s</Arn><CreateDate>%[4]s</CreateDate><Roles><member><Path>/</Path>`+
		`<RoleName>%[2]s</RoleName><RoleId>AROABEANSTALKTEST</RoleId><Arn>arn:aws:iam::%[3]s:role/%[2]s</Arn><CreateDate>%[4]s</CreateDate>`+
		`</member></Roles></InstanceProfile></GetInstanceProfileResult><ResponseMetadata><RequestId>%[5]s</RequestId></ResponseMetadata></GetInstanceProfileResponse>`,
		ns, name, s.opts.AccountID, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339), requestID)
}
