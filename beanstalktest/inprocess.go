package beanstalktest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
)

// In process, the simulator answers without a network: a benchmark of
// a hundred deploys on a virtual clock must not depend on how fast the
// machine's loopback and scheduler are. RoundTrip serves a request
// through the same handler as the listener, holding the clock (when it
// is a *VirtualClock) until the response body is closed, so that time
// does not move while an answer is on its way.

// RoundTrip makes the Server an http.RoundTripper: every request, to any
// host (AWS endpoints, environments' CNAMEs, simulated registries), is
// served in process.
func (s *Server) RoundTrip(r *http.Request) (*http.Response, error) {
	release := func() {}
	if h, ok := s.clock.(interface{ Hold() func() }); ok {
		release = h.Hold()
	}
	in := r.Clone(context.WithValue(r.Context(), inProcessTLS{}, r.URL.Scheme == "https"))
	if in.Host == "" {
		in.Host = r.URL.Host
	}
	in.RequestURI = r.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:1"
	if in.Body == nil || in.Body == http.NoBody {
		in.Body, in.ContentLength = http.NoBody, 0
	} else if in.ContentLength < 0 {
		body, err := io.ReadAll(in.Body)
		if err != nil {
			release()
			return nil, err
		}
		in.Body, in.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	// What the wire would carry: servers read the header.
	in.Header = in.Header.Clone()
	in.Header.Set("Content-Length", strconv.FormatInt(in.ContentLength, 10))
	in.Header.Set("Host", in.Host)
	w := &recorder{header: http.Header{}}
	func() {
		defer func() {
			// A handler aborting its connection (http.ErrAbortHandler).
			if recover() != nil {
				w.hijacked = true
			}
		}()
		s.ServeHTTP(w, in)
	}()
	if r.Body != nil {
		_ = r.Body.Close()
	}
	if w.hijacked {
		release()
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer (simulated)")}
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	resp := &http.Response{
		Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: &heldBody{Reader: bytes.NewReader(w.body.Bytes()), release: release},
		ContentLength: int64(w.body.Len()), Request: r,
	}
	return resp, nil
}

// InProcessClient returns a client whose every request the simulator
// serves in process (see RoundTrip).
func (s *Server) InProcessClient() *http.Client { return &http.Client{Transport: s} }

type inProcessTLS struct{}

// recorder collects a handler's answer.
type recorder struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (w *recorder) Header() http.Header { return w.header }
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Hijack is how the simulator drops a connection; in process, the
// round trip fails as a reset connection would.
func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return nil, nil, errHijacked
}

var errHijacked = errors.New("hijacked")

// heldBody releases the clock's hold once read and closed.
type heldBody struct {
	io.Reader
	release func()
}

func (b *heldBody) Close() error { b.release(); return nil }
