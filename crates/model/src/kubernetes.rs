//! Kubernetes settings: API server, certificates, network ranges, add-ons and component flags.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use schemars::JsonSchema;
use serde::Serialize;

use crate::names::{
    DomainName, GoDuration, ImageDigest, ImageName, ImageTag, KubeletFlag, NixHash, PackageAttr, Port, ProxyFlag,
};

/// The well-known ports of the Kubernetes components, kept in one place.
pub mod ports {
    /// kube-apiserver (TCP).
    pub const APISERVER: u16 = 6443;
    /// kubelet (TCP).
    pub const KUBELET: u16 = 10250;
    /// etcd client and peer ports, inclusive (TCP).
    pub const ETCD: (u16, u16) = (2379, 2380);
    /// cfssl, the easyCerts certificate authority (TCP).
    pub const CFSSL: u16 = 8888;
    /// flannel's VXLAN backend, the one nixpkgs configures (UDP).
    pub const FLANNEL_VXLAN: u16 = 8472;
    /// flannel's UDP backend (unused with VXLAN) and VXLAN: the nixpkgs flannel module opens both
    /// to every source itself (UDP).
    pub const FLANNEL_OPENED_BY_NIXPKGS: [u16; 2] = [8285, 8472];
    /// node-exporter, which kube-prometheus-stack runs on every member's host network (TCP); the
    /// chart's `prometheus-node-exporter.service.port`, written from here.
    pub const NODE_EXPORTER: u16 = 9100;
    /// The NodePort range, inclusive (TCP).
    pub const NODE_PORTS: (u16, u16) = (30000, 32767);
}

/// How hosts reach the API server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct ApiServer {
    /// The name every host resolves to the control plane (`api.kube`, via `networking.extraHosts`).
    pub host_name: DomainName,
    /// The secure port (6443).
    pub port: Port,
    /// `apiserver.allowPrivileged` (the module's default is false; Rook Ceph needs true).
    pub allow_privileged: bool,
}

impl ApiServer {
    /// The URL given to `apiserverAddress` and the workers' kubeconfig (`https://api.kube:6443`).
    pub fn url(&self) -> String {
        format!("https://{}:{}", self.host_name, self.port)
    }
}

impl Default for ApiServer {
    fn default() -> Self {
        ApiServer {
            host_name: DomainName::new("api.kube").expect("valid"),
            port: Port::new(ports::APISERVER).expect("valid"),
            allow_privileged: true,
        }
    }
}

/// A pinned coredns image for the DNS add-on (`addons.dns.coredns`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct CorednsImage {
    /// `imageName` (`coredns/coredns`).
    pub image_name: ImageName,
    /// `imageDigest` (`sha256:…`).
    pub image_digest: ImageDigest,
    /// `finalImageTag` (`1.10.1`).
    pub final_image_tag: ImageTag,
    /// `sha256` of the fetched image.
    pub sha256: NixHash,
}

impl CorednsImage {
    /// A pin from its four parts.
    pub fn new(image_name: ImageName, image_digest: ImageDigest, final_image_tag: ImageTag, sha256: NixHash) -> Self {
        CorednsImage { image_name, image_digest, final_image_tag, sha256 }
    }

    /// The arm64 build of coredns 1.10.1 that the reference cluster's Raspberry Pi control plane uses.
    pub fn arm64_reference() -> Self {
        CorednsImage {
            image_name: ImageName::new("coredns/coredns").expect("valid"),
            image_digest: ImageDigest::new("sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e")
                .expect("valid"),
            final_image_tag: ImageTag::new("1.10.1").expect("valid"),
            sha256: NixHash::new("0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9").expect("valid"),
        }
    }
}

/// The cluster DNS add-on (`addons.dns`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct DnsAddon {
    /// `addons.dns.enable`.
    pub enable: bool,
    /// The coredns image; required when a control plane is aarch64 (the default image is amd64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coredns_image: Option<CorednsImage>,
}

impl Default for DnsAddon {
    fn default() -> Self {
        DnsAddon { enable: true, coredns_image: None }
    }
}

/// Flags that differ between control-plane hosts and workers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct RoleFlags<F> {
    /// Flags on hosts with the control-plane role (whether or not they are also workers).
    pub control_plane: Vec<F>,
    /// Flags on hosts that are workers only.
    pub worker: Vec<F>,
}

impl<F> Default for RoleFlags<F> {
    fn default() -> Self {
        RoleFlags { control_plane: Vec::new(), worker: Vec::new() }
    }
}

impl<F> RoleFlags<F> {
    /// The flags for a host with these roles.
    pub fn for_roles(&self, roles: crate::host::Roles) -> &[F] {
        if roles.control_plane {
            &self.control_plane
        } else if roles.worker {
            &self.worker
        } else {
            &[]
        }
    }
}

fn flags<F: std::str::FromStr>(list: &[&str]) -> Vec<F>
where
    F::Err: std::fmt::Debug,
{
    list.iter().map(|f| f.parse().expect("valid flag")).collect()
}

/// Cluster-wide Kubernetes settings (`services.kubernetes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", default)]
#[non_exhaustive]
pub struct Kubernetes {
    /// API server address and options.
    pub api: ApiServer,
    /// `easyCerts`: automatic certificates through cfssl (one control plane only; not production-grade).
    pub easy_certs: bool,
    /// The pod network (`clusterCidr`).
    #[schemars(with = "String")]
    pub pod_cidr: Ipv4Net,
    /// The service network (`apiserver.serviceClusterIpRange`).
    #[schemars(with = "String")]
    pub service_cidr: Ipv4Net,
    /// The DNS add-on.
    pub dns: DnsAddon,
    /// kubelet `extraOpts`, per role.
    pub kubelet_flags: RoleFlags<KubeletFlag>,
    /// kube-proxy `extraOpts`, per role.
    pub proxy_flags: RoleFlags<ProxyFlag>,
    /// Start flannel with `-ip-masq`.
    pub flannel_ip_masq: bool,
    /// containerd's `TimeoutStartSec`, in seconds (slow SD cards need long).
    pub containerd_timeout_start_sec: u32,
    /// `services.certmgr.renewInterval` (certmgr restarts components at each renewal).
    pub certmgr_renew_interval: GoDuration,
    /// Administration tools in `environment.systemPackages` of control-plane hosts.
    pub admin_packages: Vec<PackageAttr>,
}

/// The prefix length of the pod range the controller manager gives each node (its default
/// `--node-cidr-mask-size` for IPv4; nixpkgs runs it with `--allocate-node-cidrs=true`).
pub(crate) const NODE_POD_PREFIX: u8 = 24;

impl Kubernetes {
    /// The cluster DNS service address: the last usable address of the service range, as the
    /// NixOS default `10.0.0.254` is for the default `10.0.0.0/24`, so a changed range keeps DNS
    /// inside it. `None` when the range has no usable address other than the API service's first
    /// one (a /31 or /32).
    pub fn dns_service_address(&self) -> Option<Ipv4Addr> {
        let range = self.service_cidr;
        (range.prefix_len() <= 30).then(|| Ipv4Addr::from(u32::from(range.broadcast()) - 1))
    }
}

impl Default for Kubernetes {
    fn default() -> Self {
        Kubernetes {
            api: ApiServer::default(),
            easy_certs: true,
            pod_cidr: "10.1.0.0/16".parse().expect("valid"),
            service_cidr: "10.0.0.0/24".parse().expect("valid"),
            dns: DnsAddon::default(),
            kubelet_flags: RoleFlags {
                control_plane: flags(&[
                    "--fail-swap-on=false",
                    "--pod-infra-container-image=registry.k8s.io/pause:3.9",
                ]),
                worker: flags(&["--fail-swap-on=false"]),
            },
            proxy_flags: RoleFlags { control_plane: flags(&["--masquerade-all"]), worker: Vec::new() },
            flannel_ip_masq: true,
            containerd_timeout_start_sec: 300,
            certmgr_renew_interval: GoDuration::new("168h").expect("valid"),
            admin_packages: ["kompose", "kubectl", "kubernetes", "k9s", "kubernetes-helm", "helmfile"]
                .iter()
                .map(|p| PackageAttr::new(*p).expect("valid"))
                .collect(),
        }
    }
}
