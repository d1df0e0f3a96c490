//! The pre-publish check's link fetch: every link of a manuscript's body is followed
//! with the monitoring link checker's probe (`LinkProbe::land`: HEAD then GET,
//! bounded redirects and bodies, the site's own "not found" page) and judged by the
//! same verdicts (`link_check::judge`: 无法访问, 跳转至其他域名, 页面不存在), so a
//! clerk reads the same words before publishing as after. Hosts are probed
//! [`HOSTS_AT_ONCE`] at a time, each host's links in turn; the whole fetch has a
//! time budget ([`BUDGET`]) after which unfinished links are reported as not checked
//! in time rather than holding the editor's save. Answers are cached per link for
//! [`CACHE_TTL`] (a manuscript is saved many times with the same links).

use govmedia_connectors::links::{self, Page};
use govmedia_connectors::{HttpConfig, LinkProbe, ProbeConfig};
use govmedia_domain::link_check::{self, Landing, LinkPolicy, LinkVerdict};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The whole fetch's time budget.
pub const BUDGET: Duration = Duration::from_secs(4);
/// One link's request timeout (connection to last byte).
pub const LINK_TIMEOUT: Duration = Duration::from_secs(3);
/// Hosts probed at once.
pub const HOSTS_AT_ONCE: usize = 16;
/// How long a link's answer is reused.
pub const CACHE_TTL: Duration = Duration::from_secs(600);
/// Links kept in the cache at most (it is emptied when full).
pub const CACHE_MAX: usize = 20_000;

/// What fetching a link found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fetched {
    /// The monitoring verdict's code (`ok`, `unreachable`, `foreign_domain`,
    /// `soft_404`), or [`UNCHECKED`] (not answered within the budget).
    pub verdict: String,
    /// The verdict in words, with the status chain or the reason.
    pub reason: String,
}

impl Fetched {
    pub fn broken(&self) -> bool {
        LinkVerdict::from_code(&self.verdict).is_some_and(|v| v.broken())
    }
}

/// The link fetcher of a process: the probe (it pools connections) and the cache.
pub struct LinkFetcher {
    probe: LinkProbe,
    cache: Mutex<HashMap<String, (Instant, Fetched)>>,
}

impl LinkFetcher {
    pub fn new(http: &HttpConfig) -> Result<Self, String> {
        Ok(LinkFetcher {
            probe: LinkProbe::new(ProbeConfig {
                timeout: LINK_TIMEOUT,
                connect_timeout: http.connect_timeout.min(Duration::from_secs(2)),
                allow_internal_addresses: http.allow_internal_addresses,
                max_redirects: 5,
                ..ProbeConfig::default()
            })?,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn cached(&self, url: &str) -> Option<Fetched> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(url)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, f)| f.clone())
    }

    fn remember(&self, url: &str, fetched: &Fetched) {
        if fetched.verdict == UNCHECKED {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(url.to_string(), (Instant::now(), fetched.clone()));
    }

    /// Each of `urls` fetched and judged, within [`BUDGET`].
    pub async fn fetch_all(
        self: &Arc<Self>,
        policy: &LinkPolicy,
        urls: &[String],
    ) -> HashMap<String, Fetched> {
        let mut out = HashMap::new();
        let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for u in urls {
            if out.contains_key(u) {
                continue;
            }
            match self.cached(u) {
                Some(f) => {
                    out.insert(u.clone(), f);
                }
                None => {
                    let list = by_host.entry(links::host_of(u)).or_default();
                    if !list.contains(u) {
                        list.push(u.clone());
                    }
                }
            }
        }
        if by_host.is_empty() {
            return out;
        }
        let limit = Arc::new(tokio::sync::Semaphore::new(HOSTS_AT_ONCE));
        let policy = Arc::new(policy.clone());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Fetched)>();
        let mut set = tokio::task::JoinSet::new();
        let wanted: Vec<String> = by_host.values().flatten().cloned().collect();
        for (_, list) in by_host {
            let me = self.clone();
            let limit = limit.clone();
            let policy = policy.clone();
            let tx = tx.clone();
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let mut site_404: Option<Option<Page>> = None;
                for url in list {
                    let fetched = me.fetch_one(&policy, &url, &mut site_404).await;
                    me.remember(&url, &fetched);
                    if tx.send((url, fetched)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let deadline = tokio::time::Instant::now() + BUDGET;
        while let Ok(Some((url, f))) = tokio::time::timeout_at(deadline, rx.recv()).await {
            out.insert(url, f);
        }
        // Unfinished probes end with the budget; their links are said to be unchecked.
        set.abort_all();
        for u in wanted {
            out.entry(u).or_insert_with(|| Fetched {
                verdict: UNCHECKED.into(),
                reason: format!("未能在{}秒内完成检查，请发布前人工核实", BUDGET.as_secs()),
            });
        }
        out
    }

    async fn fetch_one(
        &self,
        policy: &LinkPolicy,
        url: &str,
        site_404: &mut Option<Option<Page>>,
    ) -> Fetched {
        let landed = self.probe.land(url, site_404).await;
        let page = match landed.answer {
            Ok(page) => page,
            Err(f) => {
                return Fetched {
                    verdict: LinkVerdict::Unreachable.code().into(),
                    reason: format!("{}（{}）", LinkVerdict::Unreachable.label(), f.words),
                };
            }
        };
        let verdict = link_check::judge(
            policy,
            &Landing {
                status: page.status,
                start_host: links::host_of(url),
                final_host: links::host_of(&page.final_url),
                title: page.title.clone(),
                text: page.text.clone(),
                same_as_site_404: landed.same_as_site_404,
            },
        );
        let reason = match verdict {
            LinkVerdict::Healthy => format!("{}（{}）", verdict.label(), landed.chain),
            LinkVerdict::ForeignDomain => format!(
                "{}：跳转到 {}（{}）",
                verdict.label(),
                links::host_of(&page.final_url),
                landed.chain
            ),
            _ => format!("{}（{}）", verdict.label(), landed.chain),
        };
        Fetched {
            verdict: verdict.code().into(),
            reason,
        }
    }
}

/// The verdict of a link not answered within the budget.
pub const UNCHECKED: &str = "unchecked";
