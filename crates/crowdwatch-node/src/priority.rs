//! The engine thread's CPU priority: below the event loop's. The engine thread does throughput
//! work (a batch may wait: reading pauses under back-pressure and lines wait in their files); the
//! event loop does latency work (the API, the bouncers' long polls, pushing alerts, `/health`),
//! and an attack line needs both. On a machine with every core busy the event loop should get
//! the CPU first: at 100,000 nginx lines/s on two cores the daemon's event loop spent ~4% of the
//! time runnable but waiting for a CPU, in bursts of tens of ms. Raising a thread's nice value
//! needs no privilege; threads the engine thread starts (the parallel mode's parse thread)
//! inherit it.

/// How much the engine thread's nice value is raised (capped at 19, the lowest priority). Its
/// weight against a nice-0 thread on the same core is then ~1/10 while both want to run; alone
/// on a core (or with idle time about), it runs at full speed. See ARCHITECTURE.md.
pub const ENGINE_THREAD_NICE: i32 = 10;

/// Raises the calling thread's nice value by `by` (on Linux a thread has its own); its new value,
/// or `None` where that is not possible.
#[cfg(target_os = "linux")]
pub fn lower_this_thread(by: i32) -> Option<i32> {
    // SAFETY: getpriority and setpriority take no pointers; with PRIO_PROCESS and who = 0 Linux
    // applies them to the calling thread only.
    unsafe {
        *libc::__errno_location() = 0;
        let now = libc::getpriority(libc::PRIO_PROCESS, 0);
        if now == -1 && *libc::__errno_location() != 0 {
            return None;
        }
        let nice = (now + by).min(19);
        (libc::setpriority(libc::PRIO_PROCESS, 0, nice) == 0).then_some(nice)
    }
}

#[cfg(not(target_os = "linux"))]
pub fn lower_this_thread(_by: i32) -> Option<i32> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn nice_of_this_thread() -> i32 {
        // SAFETY: as above.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[test]
    fn only_the_calling_thread_is_lowered() {
        let before = nice_of_this_thread();
        let (set, seen) = std::thread::spawn(|| {
            let set = lower_this_thread(ENGINE_THREAD_NICE);
            (set, nice_of_this_thread())
        })
        .join()
        .unwrap();
        assert_eq!(set, Some((before + ENGINE_THREAD_NICE).min(19)));
        assert_eq!(seen, (before + ENGINE_THREAD_NICE).min(19));
        assert_eq!(
            nice_of_this_thread(),
            before,
            "the caller's thread keeps its priority"
        );
    }
}
