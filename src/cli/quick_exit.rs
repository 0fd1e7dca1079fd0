//! Returning to the shell without waiting for the kernel to free a large store: the
//! memory is handed to a small process that shares it and ends just after this one.
//!
//! When a process exits, the kernel frees its pages before the parent's `wait` returns:
//! after a load of the 1M-event benchmark corpus (~620 MB resident) that kept the shell
//! waiting 50–90 ms once the output was complete, ~2–3% of the whole command, on these
//! virtual machines (measured from the output's arrival to the process being reaped).
//! The mold linker spares its users the same wait (by forking at start-up and letting the
//! parent exit early). What `wait4` reports stays true: the kernel records the peak
//! resident size when a process lets go of its memory, and CPU times are this process's
//! own; only the freeing happens afterwards, in the holder.
//!
//! `TRAILSCOPE_NO_HOLDER` in the environment turns this off: for debugging, and for
//! containers whose first process does not reap orphans (each holder would stay a zombie).

/// Below this peak resident size the exit is quick anyway, and no holder is made.
const HOLD_ABOVE_BYTES: u64 = 64 << 20;

/// Called last, when everything has been written: if this process is large, starts the
/// holder, which keeps the address space alive until this process has exited and then
/// ends (the kernel kills it when its parent dies), freeing the memory on its own time.
/// Does nothing elsewhere than Linux on x86-64 or AArch64, under valgrind (which stops
/// the whole program at such a `clone`), when turned off, or when the holder cannot be
/// made: the exit then frees the memory as usual.
pub fn leave_memory_to_holder() {
    #[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
    if std::env::var_os("TRAILSCOPE_NO_HOLDER").is_none()
        && !std::env::var("LD_PRELOAD").is_ok_and(|p| p.contains("vgpreload"))
        && linux::peak_resident_bytes() >= HOLD_ABOVE_BYTES
    {
        linux::spawn_holder();
    }
}

#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod linux {
    use std::ffi::{c_int, c_long, c_void};

    /// The holder's stack (it only makes system calls).
    const STACK_BYTES: usize = 64 << 10;

    pub fn peak_resident_bytes() -> u64 {
        // SAFETY: `getrusage` fills the zeroed struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return 0;
        }
        (usage.ru_maxrss.max(0) as u64) * 1024 // kilobytes
    }

    /// Starts the holder; its process id, unless `clone` failed. The holder ends when
    /// the calling thread does (at the process's exit, the main thread).
    pub fn spawn_holder() -> Option<libc::pid_t> {
        // The descriptors the holder must close if `close_range` is missing (Linux < 5.9).
        // SAFETY: `getrlimit` fills the zeroed struct it is given.
        let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
        let open_max = match unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } {
            0 => limit.rlim_cur.min(1 << 20) as usize,
            _ => 4096,
        };
        let stack = Box::into_raw(vec![0u8; STACK_BYTES].into_boxed_slice());
        // SAFETY: `stack` is a live allocation of STACK_BYTES; the holder runs `hold` on it,
        // and it is freed only if no holder was made (else it stays until the exit).
        // `hold` makes raw system calls only: it shares this thread's TLS, so it must not
        // go through libc, which would write errno or the thread's cancellation state.
        // The signal calls change this thread's mask for the moment of the `clone`.
        unsafe {
            // The stack grows down from its 16-byte-aligned top.
            let top = (stack as *mut u8).add(STACK_BYTES) as usize & !15;
            // The holder starts with every signal blocked, so that only SIGKILL (its
            // parent's death, or a user) ends it.
            let (mut all, mut old): (libc::sigset_t, libc::sigset_t) = (std::mem::zeroed(), std::mem::zeroed());
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
            // The parent's pid and the descriptor bound, in one word (pids are below 2^22).
            let arg = (libc::getpid() as usize) | (open_max << 32);
            // CLONE_VM: the holder shares this address space, so the kernel frees it only
            // when both have exited. A separate process (no CLONE_THREAD): when its parent
            // is gone it is reaped by the nearest subreaper or init.
            let pid = libc::clone(hold, top as *mut c_void, libc::CLONE_VM | libc::SIGCHLD, arg as *mut c_void);
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
            if pid <= 0 {
                drop(Box::from_raw(stack));
                return None;
            }
            Some(pid)
        }
    }

    /// The holder: lets go of its copies of the file descriptors (a reader of this
    /// process's output would otherwise wait for the holder to end before it saw the end),
    /// asks to be killed when its parent dies, then waits for that. Returning makes
    /// `clone`'s trampoline call `exit` directly.
    extern "C" fn hold(arg: *mut c_void) -> c_int {
        let (parent, open_max) = (arg as usize & 0xffff_ffff, arg as usize >> 32);
        // SAFETY: system calls without memory arguments (`ppoll` is given no descriptors,
        // no timeout and no mask: it sleeps until a signal, and every one but SIGKILL is
        // blocked).
        unsafe {
            if syscall(libc::SYS_close_range, [0, c_long::from(u32::MAX), 0]) != 0 {
                for fd in 0..open_max as c_long {
                    syscall(libc::SYS_close, [fd, 0, 0]);
                }
            }
            syscall(libc::SYS_prctl, [libc::PR_SET_PDEATHSIG as c_long, libc::SIGKILL as c_long, 0]);
            // The parent may have died before the request: then end now.
            if syscall(libc::SYS_getppid, [0; 3]) != parent as c_long {
                return 0;
            }
            loop {
                syscall(libc::SYS_ppoll, [0, 0, 0]);
            }
        }
    }

    /// A system call with up to three arguments (unused ones zero), without libc: the
    /// result, or minus the error number.
    unsafe fn syscall(number: c_long, args: [c_long; 3]) -> c_long {
        let result: c_long;
        #[cfg(target_arch = "x86_64")]
        std::arch::asm!(
            "syscall",
            inlateout("rax") number => result,
            in("rdi") args[0], in("rsi") args[1], in("rdx") args[2],
            // ppoll's 4th and 5th arguments (no signal mask) in case it is the call.
            in("r10") 0, in("r8") 0,
            lateout("rcx") _, lateout("r11") _,
            options(nostack),
        );
        #[cfg(target_arch = "aarch64")]
        std::arch::asm!(
            "svc 0",
            in("x8") number,
            inlateout("x0") args[0] => result,
            in("x1") args[1], in("x2") args[2], in("x3") 0, in("x4") 0,
            options(nostack),
        );
        result
    }
}

#[cfg(all(test, target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod tests {
    use super::linux::spawn_holder;

    /// The holder outlives nothing: it lets go of every file descriptor at once (or a
    /// reader of the output would wait for it), and is killed as soon as the thread that
    /// made it ends — at exit, the main thread.
    #[test]
    fn the_holder_closes_its_files_and_dies_with_its_maker() {
        let (made, made_rx) = std::sync::mpsc::channel();
        let (end, end_rx) = std::sync::mpsc::channel::<()>();
        let maker = std::thread::spawn(move || {
            made.send(spawn_holder()).unwrap();
            end_rx.recv().unwrap();
        });
        let pid = made_rx.recv().unwrap().expect("clone works outside valgrind");
        // Polls `done` for up to 5 s; on time-out the holder is killed and the test fails.
        let within_5s = |done: &mut dyn FnMut() -> bool, failure: &str| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while !done() {
                if std::time::Instant::now() > deadline {
                    // SAFETY: a signal to our own child.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    panic!("{failure}");
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        let fds = format!("/proc/{pid}/fd");
        within_5s(&mut || std::fs::read_dir(&fds).is_ok_and(|d| d.count() == 0), "the holder kept descriptors open");
        let mut status = 0;
        // SAFETY: waiting for our own child with a valid out-parameter.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) }, 0, "alive while its maker runs");
        // SAFETY: as above.
        let mut reaped = || unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid;
        end.send(()).unwrap();
        maker.join().unwrap();
        within_5s(&mut reaped, "the holder outlived the thread that made it");
        assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL, "status {status:#x}");
    }
}
