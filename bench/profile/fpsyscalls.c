// Profiling aid, LD_PRELOADed into the service by bench/profile.sh only (never in production): socket and file
// I/O through syscall(2) from functions that keep a frame pointer.
//
// Why: glibc's cancellable send/recv/read/write wrappers use %rbp as a scratch register around the syscall, so
// perf's frame-pointer unwinding stops in libc for every sample taken in the kernel's TCP code, and the managed
// caller (Kestrel or Npgsql) is lost: a quarter of the service's samples. Through these wrappers the chain stays
// intact (libc's syscall() leaves %rbp alone). .NET never relies on pthread cancellation, so nothing else changes.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t send(int fd, const void *buf, size_t n, int flags) { return syscall(SYS_sendto, fd, buf, n, flags, 0, 0); }
ssize_t recv(int fd, void *buf, size_t n, int flags) { return syscall(SYS_recvfrom, fd, buf, n, flags, 0, 0); }
ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a, socklen_t l) { return syscall(SYS_sendto, fd, buf, n, flags, a, l); }
ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a, socklen_t *l) { return syscall(SYS_recvfrom, fd, buf, n, flags, a, l); }
ssize_t sendmsg(int fd, const struct msghdr *m, int flags) { return syscall(SYS_sendmsg, fd, m, flags); }
ssize_t recvmsg(int fd, struct msghdr *m, int flags) { return syscall(SYS_recvmsg, fd, m, flags); }
ssize_t read(int fd, void *buf, size_t n) { return syscall(SYS_read, fd, buf, n); }
ssize_t write(int fd, const void *buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
ssize_t readv(int fd, const struct iovec *v, int n) { return syscall(SYS_readv, fd, v, n); }
ssize_t writev(int fd, const struct iovec *v, int n) { return syscall(SYS_writev, fd, v, n); }
