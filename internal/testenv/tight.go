package testenv

import (
	"net"
	"net/http"
	"syscall"
)

// tightBuffer is the socket buffer, in bytes, of tight connections. Linux
// grants a loopback connection megabytes, which a server writing small
// events would take minutes to fill for a client that stopped reading; with
// a few KiB at each end a few hundred events fill them, as many more would
// in production.
const tightBuffer = 4096

// TightListener is ln whose connections have small send buffers, for a test
// of what a server does when a client stops reading.
func TightListener(ln net.Listener) net.Listener { return tightListener{ln} }

type tightListener struct{ net.Listener }

func (l tightListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(tightBuffer) // fixing it also stops the kernel growing it
	}
	return c, err
}

// TightTransport is an HTTP transport whose connections have small receive
// buffers, set before they connect so the window they offer is small too.
func TightTransport() *http.Transport {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, tightBuffer)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	return &http.Transport{DialContext: d.DialContext}
}
