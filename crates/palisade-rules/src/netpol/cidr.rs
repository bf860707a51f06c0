//! Address blocks: what an `ipBlock` with `except` leaves, and whether it reaches the public
//! internet (anything outside the private, loopback, link-local, shared and reserved ranges).

use ipnet::IpNet;

/// Ranges that are not the public internet.
const NON_PUBLIC: [&str; 16] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/3",
    "::/127",
    "::ffff:0:0/96",
    "64:ff9b:1::/48",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

fn non_public() -> Vec<IpNet> {
    NON_PUBLIC.iter().filter_map(|s| s.parse().ok()).collect()
}

/// `net` minus every block of `remove`, as disjoint blocks.
pub fn subtract(net: IpNet, remove: &[IpNet]) -> Vec<IpNet> {
    let mut out = Vec::new();
    subtract_into(net, remove, &mut out);
    out
}

fn subtract_into(net: IpNet, remove: &[IpNet], out: &mut Vec<IpNet>) {
    if remove.iter().any(|r| r.contains(&net)) {
        return;
    }
    let overlapping: Vec<IpNet> = remove
        .iter()
        .filter(|r| net.contains(*r))
        .copied()
        .collect();
    if overlapping.is_empty() {
        out.push(net);
        return;
    }
    // Some removed block lies strictly inside: split in halves and recurse. Depth is bounded
    // by the address length.
    let Ok(halves) = net.subnets(net.prefix_len() + 1) else {
        return;
    };
    for half in halves {
        subtract_into(half, &overlapping, out);
    }
}

/// Whether `cidr` minus `except` holds at least one public internet address.
pub fn reaches_internet(cidr: &IpNet, except: &[IpNet]) -> bool {
    let mut remove = non_public();
    remove.extend_from_slice(except);
    !subtract(*cidr, &remove).is_empty()
}

/// Whether the block is the whole address space of its family (`0.0.0.0/0`, `::/0`).
pub fn is_everything(cidr: &IpNet) -> bool {
    cidr.prefix_len() == 0
}
