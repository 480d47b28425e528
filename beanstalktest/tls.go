package beanstalktest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"time"
)

// Environments with an HTTPS listener (an aws_cert_arn) answer HTTPS on
// the simulator's address too: its listener tells TLS from plain HTTP by
// the first byte. The certificate is self-signed and names no CNAME —
// as on AWS, where it names the live host, not the environment's CNAME —
// so a client reaching an environment by its CNAME must not verify it
// (pymacaron's NO_SSL_CHECK).

// selfSigned makes the simulator's certificate.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "beanstalktest.invalid"},
		DNSNames:     []string{"beanstalktest.invalid"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// sniffListener hands out TLS connections for clients that open with a
// TLS handshake, plain ones otherwise.
type sniffListener struct {
	net.Listener
	tls *tls.Config
}

func (l sniffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, tls: l.tls}, nil
}

// sniffConn decides on its first read whether it speaks TLS.
type sniffConn struct {
	net.Conn
	tls     *tls.Config
	decided net.Conn
	r       *bufio.Reader
}

func (c *sniffConn) Read(p []byte) (int, error) {
	if c.decided == nil {
		c.r = bufio.NewReader(c.Conn)
		first, err := c.r.Peek(1)
		if err != nil {
			return 0, err
		}
		plain := &peekedConn{Conn: c.Conn, r: c.r}
		if first[0] == 0x16 { // a TLS handshake record
			c.decided = tls.Server(plain, c.tls)
		} else {
			c.decided = plain
		}
	}
	return c.decided.Read(p)
}

func (c *sniffConn) Write(p []byte) (int, error) {
	if c.decided != nil {
		return c.decided.Write(p)
	}
	return c.Conn.Write(p)
}

// peekedConn reads through the buffer that peeked at the first byte.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

type connKey struct{}

// overTLS reports whether the request came over TLS (the server's
// ConnContext keeps its connection in the context).
func overTLS(ctx interface{ Value(any) any }) bool {
	if tls, inProcess := ctx.Value(inProcessTLS{}).(bool); inProcess {
		return tls
	}
	c, ok := ctx.Value(connKey{}).(*sniffConn)
	if !ok || c.decided == nil {
		return false
	}
	_, isTLS := c.decided.(*tls.Conn)
	return isTLS
}
