package beanstalktest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/beanswap/beanswap/clock"
)

// Server is a running simulator: Elastic Beanstalk, S3 and the
// environments' HTTP traffic on one loopback address.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41235: the endpoint of
	// every simulated service.
	URL string

	opts     Options
	clock    Clock
	listener net.Listener
	http     *http.Server
	log      *slog.Logger
	s3       http.Handler
	bucketFS *s3mem.Backend

	mu    sync.Mutex // guards everything below, and st
	st    *state
	calls map[string]int
	// throttledCalls counts the requests refused by the token bucket.
	throttledCalls int
	faults         Faults
	bucket         tokenBucket
	scripts
	rng *faultRand

	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState

	closeOnce sync.Once
	serveDone chan struct{}

	// With Options.Publish: the driver applying steps on time, and the
	// order of publishing.
	pubMu      sync.Mutex
	wakeDriver context.CancelFunc
	stopDriver context.CancelFunc
	driverDone chan struct{}
}

// NewServer starts a simulator listening on opts.Addr (a free loopback
// port by default). Close it when done.
func NewServer(opts Options) (*Server, error) {
	opts.withDefaults()
	s := &Server{
		opts:      opts,
		clock:     opts.Clock,
		log:       opts.Logger,
		calls:     map[string]int{},
		faults:    opts.Faults,
		st:        newState(opts.Region, opts.AccountID, opts.Seed),
		serveDone: make(chan struct{}),
		rng:       newFaultRand(opts.Seed),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.st.timing, s.st.quotas, s.st.requireProfile = opts.Timing, opts.Quotas, !opts.AllowMissingInstanceProfile
	s.st.profiles = slices.Clone(opts.InstanceProfiles)
	s.st.scripts = &s.scripts
	s.bucket = newTokenBucket(s.faults, s.clock.Now())
	s.bucketFS = s3mem.New()
	s.st.objects = s.bucketFS
	s.s3 = gofakes3.New(s.bucketFS, gofakes3.WithTimeSkewLimit(0)).Server()

	l, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("beanstalktest: listen on %s: %w", opts.Addr, err)
	}
	if opts.Publish != nil {
		s.st.publishing = true
		ctx, cancel := context.WithCancel(context.Background())
		s.stopDriver, s.driverDone = cancel, make(chan struct{})
		go func() {
			defer close(s.driverDone)
			s.drive(ctx)
		}()
	}
	s.listener = l
	s.URL = "http://" + l.Addr().String()
	s.st.baseURL = s.URL
	cert, err := selfSigned()
	if err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("beanstalktest: certificate: %w", err)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.trackConn,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) }}
	sniffing := sniffListener{Listener: l, tls: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go func() {
		defer close(s.serveDone)
		_ = s.http.Serve(sniffing)
	}()
	return s, nil
}

// Start starts a simulator for a test and closes it when the test ends.
func Start(tb TB, opts Options) *Server {
	tb.Helper()
	s, err := NewServer(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// TB is the part of testing.TB that Start uses; *testing.T and
// *testing.B satisfy it. Taking it instead of testing.TB keeps the
// testing package out of programs that serve the simulator.
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// Close stops the server and waits for it.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.stopDriver != nil {
			s.stopDriver()
			<-s.driverDone
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A connection a client dialled but never used (its transport
		// raced two dials) would hold Shutdown for five seconds.
		s.connMu.Lock()
		for c, st := range s.conns {
			if st == http.StateNew {
				_ = c.Close()
			}
		}
		s.connMu.Unlock()
		if err := s.http.Shutdown(ctx); err != nil {
			_ = s.http.Close()
		}
		<-s.serveDone
	})
}

// trackConn follows the connections' states, for Close.
func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.conns == nil {
		s.conns = map[net.Conn]http.ConnState{}
	}
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.conns, c)
		return
	}
	s.conns[c] = st
}

// Clock returns the clock driving the simulation.
func (s *Server) Clock() Clock { return s.clock }

// Region returns the simulated region.
func (s *Server) Region() string { return s.opts.Region }

// AccountID returns the simulated account.
func (s *Server) AccountID() string { return s.opts.AccountID }

// Config returns an aws.Config whose clients reach the simulator: its
// endpoint, region, static credentials, and an HTTP client that resolves
// environment CNAMEs to the simulated instances. S3 clients work as they
// are: the SDK uses path-style addressing for a loopback IP endpoint.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       s.opts.Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBEANSTALKTEST", "beanstalktest-secret", ""),
		HTTPClient:   s.HTTPClient(),
	}
}

// HTTPClient returns a client whose DNS knows the simulated environments:
// requests to an environment's CNAME or endpoint reach the environment
// that holds it now (as DNS would after a swap); unknown names under
// elasticbeanstalk.com fail as "no such host". Requests to a simulated
// registry reach it (HTTPS becomes plain HTTP on the simulator's
// address). Other hosts are dialled normally.
func (s *Server) HTTPClient() *http.Client {
	if s.opts.InProcess {
		return s.InProcessClient()
	}
	return &http.Client{Transport: s.transport(), Timeout: 2 * time.Minute}
}

// transport is HTTPClient's transport.
func (s *Server) transport() http.RoundTripper {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = nil
	// The environments' certificates are self-signed and name no CNAME,
	// as AWS's name the live host: not verified, as NO_SSL_CHECK does.
	base.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the simulator's own certificate
	var d net.Dialer
	base.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if s.isInstanceHost(host) {
			if !s.resolves(host) {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			return d.DialContext(ctx, network, s.listener.Addr().String())
		}
		return d.DialContext(ctx, network, addr)
	}
	return registryTransport{s: s, base: base}
}

// registryTransport sends requests for simulated registries to the
// simulator, in plain HTTP, keeping their Host.
type registryTransport struct {
	s    *Server
	base http.RoundTripper
}

func (t registryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.s.mu.Lock()
	reg := t.s.registryFor(r.URL.Host)
	t.s.mu.Unlock()
	if reg == nil {
		return t.base.RoundTrip(r)
	}
	out := r.Clone(r.Context())
	out.Host = r.URL.Host
	out.URL.Scheme, out.URL.Host = "http", t.s.listener.Addr().String()
	resp, err := t.base.RoundTrip(out)
	if resp != nil {
		resp.Request = r // relative Locations resolve against the registry's name
	}
	return resp, err
}

// ServeHTTP routes a request: environment traffic by Host, then AWS calls
// by the service in their SigV4 credential scope (as moto does).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	reg := s.registryFor(r.Host)
	s.mu.Unlock()
	if reg != nil {
		s.serveRegistry(w, r, reg)
		return
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if s.isInstanceHost(host) {
		s.serveInstance(w, r, host)
		return
	}
	switch service := signingService(r); service {
	case "elasticbeanstalk":
		s.serveBeanstalk(w, r)
	case "s3":
		s.s3.ServeHTTP(w, r)
	case "sts":
		s.serveSTS(w, r)
	case "iam":
		s.serveIAM(w, r)
	case "autoscaling":
		s.serveAutoScaling(w, r)
	case "":
		if isForm(r) {
			if err := r.ParseForm(); err == nil && r.PostForm.Get("Action") == "GetCallerIdentity" {
				s.serveSTS(w, r)
				return
			}
			s.serveBeanstalk(w, r)
			return
		}
		s.s3.ServeHTTP(w, r)
	default:
		writeError(w, &APIError{Code: "UnknownService", Message: fmt.Sprintf("the simulator serves elasticbeanstalk, s3, sts, iam and autoscaling, not %s", service)}, newRequestID())
	}
}

// signingService reads the service from the Authorization header or a
// presigned URL's X-Amz-Credential: AKID/date/region/SERVICE/aws4_request.
func signingService(r *http.Request) string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	if len(parts) >= 5 {
		return parts[3]
	}
	return ""
}

func isForm(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// call is one Beanstalk request being served.
type call struct {
	now       time.Time
	requestID string
}

func (s *Server) serveBeanstalk(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	if err := r.ParseForm(); err != nil {
		writeError(w, &APIError{Code: "MalformedQueryString", Message: err.Error()}, requestID)
		return
	}
	action := r.PostForm.Get("Action")
	if action == "" {
		action = r.Form.Get("Action")
	}
	s.mu.Lock()
	s.calls[action]++
	fault := s.rng.pick(s.faults)
	slowDelay := s.faults.SlowDelay
	s.mu.Unlock()
	s.log.Debug("beanstalktest request", "action", action, "request_id", requestID, "fault", fault)

	switch fault {
	case faultDrop:
		dropConnection(w)
		return
	case faultSlow:
		if (clock.Real{}).Sleep(r.Context(), slowDelay) != nil {
			return
		}
	case faultError:
		writeError(w, &APIError{Code: CodeInternalFailure, Message: "An internal error occurred (simulated).", Status: http.StatusInternalServerError}, requestID)
		return
	case faultUnavailable:
		writeError(w, &APIError{Code: CodeServiceUnavailable, Message: "Service is unavailable (simulated).", Status: http.StatusServiceUnavailable}, requestID)
		return
	}

	h, ok := handlers[action]
	if !ok {
		writeError(w, &APIError{Code: CodeInvalidAction, Message: fmt.Sprintf("Could not find operation %s for version 2010-12-01", action)}, requestID)
		return
	}
	s.mu.Lock()
	now := s.clock.Now()
	s.st.advance(now)
	if s.throttled(action, now) {
		s.throttledCalls++
		s.mu.Unlock()
		writeError(w, &APIError{Code: CodeThrottling, Message: "Rate exceeded"}, requestID)
		return
	}
	out, err := h(s.st, r.PostForm, call{now: now, requestID: requestID})
	pushed := s.takePushed()
	s.kickDriver()
	s.mu.Unlock()
	if len(pushed) > 0 {
		s.publish(pushed)
	}

	if err != nil {
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			apiErr = &APIError{Code: CodeInternalFailure, Message: err.Error(), Status: http.StatusInternalServerError}
		}
		writeError(w, apiErr, requestID)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	_, _ = w.Write(encodeResponse(action, out, requestID))
}

func writeError(w http.ResponseWriter, e *APIError, requestID string) {
	writeErrorNS(w, xmlNamespace, e, requestID)
}

func writeErrorNS(w http.ResponseWriter, ns string, e *APIError, requestID string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.status())
	_, _ = w.Write(encodeErrorNS(ns, e, requestID))
}

func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func newRequestID() string {
	var b [16]byte
	_, _ = io.ReadFull(rand.Reader, b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
