//! Reading the app's processes from /proc: which belong to a session, and
//! how much memory they use (PSS, so shared pages are not counted twice).

use std::path::Path;

#[derive(Debug, Clone)]
pub struct ProcessMemory {
    pub pid: u32,
    pub name: String,
    pub pss_kib: u64,
    pub rss_kib: u64,
}

fn stat_fields(pid: u32) -> Option<(String, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name is in parentheses and may contain spaces.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_owned();
    let rest: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let pgrp = rest.get(2)?.parse().ok()?;
    Some((name, pgrp))
}

fn rollup(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with(key))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

/// Every process in process group `pgid` whose name is one of `names`.
pub fn group_memory(pgid: u32, names: &[&str]) -> Vec<ProcessMemory> {
    let Ok(entries) = std::fs::read_dir(Path::new("/proc")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Some((name, pgrp)) = stat_fields(pid) else {
            continue;
        };
        if pgrp == pgid && names.iter().any(|n| name.starts_with(n)) {
            found.push(ProcessMemory {
                pid,
                pss_kib: rollup(pid, "Pss:"),
                rss_kib: rollup(pid, "Rss:"),
                name,
            });
        }
    }
    found.sort_by_key(|p| p.pid);
    found
}

/// CPU time (user + system, in clock ticks) of a process.
pub fn cpu_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some(close) = stat.rfind(')') else {
        return 0;
    };
    let rest: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let field = |i: usize| rest.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name.
    field(11) + field(12)
}

/// When a process started, in milliseconds since the epoch (to the 10 ms
/// of the kernel's clock ticks): the boot time is read from the uptime,
/// which has that precision, unlike `btime`, which has whole seconds.
pub fn started_at_epoch_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let close = stat.rfind(')')?;
    let rest: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    // starttime is field 22 of stat, i.e. 19 after the name.
    let start_ticks: f64 = rest.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    let boot_ms = (now - uptime) * 1000.0;
    Some(boot_ms + start_ticks * 10.0)
}
