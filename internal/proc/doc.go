// Package proc runs the external programs beanswap starts (acceptance
// commands, credential helpers) so that none outlives its deadline, and
// tells whether a process still runs (a lease holder on this host).
package proc
