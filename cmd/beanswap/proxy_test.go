package main

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
)

// The environments' CNAMEs resolve nowhere, so the CLI reaches them
// through HTTP_PROXY. net/http reads HTTP_PROXY once per process, so every
// test's CLI runs go through one proxy, which forwards them to the
// simulator of the test running (it routes instance traffic by Host).
var simProxy struct {
	url    string
	target atomic.Pointer[url.URL]
}

func TestMain(m *testing.M) {
	srv := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		if t := simProxy.target.Load(); t != nil {
			r.SetURL(t)
		}
		r.Out.Host = r.In.Host
	}})
	simProxy.url = srv.URL
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// proxyTo sends the CLI's instance traffic to simURL until t ends.
func proxyTo(t *testing.T, simURL string) {
	u, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	simProxy.target.Store(u)
	t.Cleanup(func() { simProxy.target.Store(nil) })
	t.Setenv("HTTP_PROXY", simProxy.url)
}
