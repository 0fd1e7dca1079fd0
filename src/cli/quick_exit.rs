//! Returning to the shell without waiting for the kernel to free a large store: the
//! memory is handed to a small process that shares it and ends just after this one.
//!
//! When a process exits, the kernel frees its pages before the parent's `wait` returns:
//! after a load of the 1M-event benchmark corpus (~620 MB resident) that kept the shell
//! waiting 50–110 ms once the output was complete, ~2–4% of the whole command, on these
//! virtual machines (measured from the output's arrival to the process being reaped).
//! The mold linker does the same for the same reason. What `wait4` reports stays true:
//! the kernel records the peak resident size when a process lets go of its memory, and
//! CPU times are this process's own; only the freeing happens afterwards, in the holder.

/// Below this peak resident size the exit is quick anyway, and no holder is made.
const HOLD_ABOVE_BYTES: u64 = 64 << 20;

/// Called last, when everything has been written: if this process is large, starts the
/// holder, which keeps the address space alive until this process has exited and then
/// ends (the kernel kills it when its parent dies), freeing the memory on its own time.
/// Does nothing elsewhere than Linux, or when the holder cannot be made (e.g. under
/// valgrind, which refuses such clones): the exit then frees the memory as usual.
pub fn leave_memory_to_holder() {
    #[cfg(target_os = "linux")]
    if linux::peak_resident_bytes() >= HOLD_ABOVE_BYTES {
        linux::spawn_holder();
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{c_int, c_uint, c_void};

    /// The holder's stack (it calls three system calls; kept, as the process is ending).
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
        // SAFETY: plain libc calls on initialised out-parameters; `clone` runs `hold` on a
        // stack of its own that is never freed, and `hold` touches nothing but its argument.
        unsafe {
            let stack = Box::leak(vec![0u8; STACK_BYTES].into_boxed_slice());
            // The stack grows down from its 16-byte-aligned top.
            let top = stack.as_mut_ptr().add(STACK_BYTES) as usize & !15;
            // The holder starts with every signal blocked, so that only SIGKILL (its
            // parent's death, or a user) ends it; this thread's mask is put back at once.
            let (mut all, mut old): (libc::sigset_t, libc::sigset_t) = (std::mem::zeroed(), std::mem::zeroed());
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
            let parent = libc::getpid() as usize as *mut c_void;
            // CLONE_VM: the holder shares this address space, so the kernel frees it only
            // when both have exited. A separate process (no CLONE_THREAD), reaped by init.
            let pid = libc::clone(hold, top as *mut c_void, libc::CLONE_VM | libc::SIGCHLD, parent);
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
            (pid > 0).then_some(pid)
        }
    }

    /// The holder: lets go of its copies of the file descriptors (a reader of this
    /// process's output would otherwise wait for the holder to end before it saw the end),
    /// asks to be killed when its parent dies, then waits for that.
    extern "C" fn hold(parent: *mut c_void) -> c_int {
        // SAFETY: system calls without memory arguments.
        unsafe {
            if libc::syscall(libc::SYS_close_range, 0, c_uint::MAX, 0) != 0 {
                // Before Linux 5.9: the usual range, one by one.
                for fd in 0..4096 {
                    libc::close(fd);
                }
            }
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            // The parent may have died before the request: then end now.
            if libc::getppid() != parent as usize as libc::pid_t {
                return 0;
            }
            loop {
                libc::pause();
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
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
        let fds = format!("/proc/{pid}/fd");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let open = std::fs::read_dir(&fds).map(|d| d.count()).unwrap_or(usize::MAX);
            if open == 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the holder still has {open} descriptors open");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let mut status = 0;
        // SAFETY: waiting for our own child with a valid out-parameter.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) }, 0, "alive while its maker runs");
        end.send(()).unwrap();
        maker.join().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        // SAFETY: as above.
        while unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == 0 {
            if std::time::Instant::now() > deadline {
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the holder outlived the thread that made it");
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL, "status {status:#x}");
    }
}
