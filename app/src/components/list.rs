//! The query side of the sortable lists (Users, Partners, Requests, Shared): reading their
//! `sort`, `dir`, `status`, `per_page` and `page` from the page's URL, refusing values a list
//! does not know, and building the links that keep them. Where two lists share a page, the
//! second one's parameters carry a prefix (`fsort`, `fpage`, …).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::domain::listing::{ListChoice, ListParams, ListSpec, SortDir};

/// The list parameters in the page's query, read reactively.
pub fn use_list_params() -> impl Fn() -> ListParams + Copy + Send + Sync + 'static {
    use_prefixed_list_params("")
}

/// The list parameters named with `prefix` (`fsort` for `f`), read reactively.
pub fn use_prefixed_list_params(
    prefix: &'static str,
) -> impl Fn() -> ListParams + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || {
        let query = query.read();
        let param = |name: &str| query.get(&format!("{prefix}{name}")).unwrap_or_default();
        ListParams {
            sort: param("sort"),
            dir: param("dir"),
            status: param("status"),
            per_page: param("per_page"),
        }
    }
}

/// A sort, status or page size the list does not know is the caller's mistake: while the
/// server renders the page, its status becomes 400 (the list's place says why).
pub fn refuse_unknown_list_params<K: Copy>(spec: &ListSpec<K>, params: &ListParams) {
    #[cfg(feature = "ssr")]
    if spec.parse(params).is_err() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::BAD_REQUEST);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = (spec, params);
}

/// The links of one sortable, filtered, paged list: `base` is the rest of its query (`tab=…`,
/// `q=…`; may be empty), kept by every link.
pub struct ListLinks {
    /// Before each parameter's name: empty, or the second list's prefix on a page.
    prefix: &'static str,
    filtered: String,
    /// The key and direction the list is sorted by now.
    pub sorted: (&'static str, SortDir),
}

impl ListLinks {
    pub fn new<K: Copy + PartialEq>(
        spec: &ListSpec<K>,
        choice: &ListChoice<K>,
        base: &str,
    ) -> Self {
        Self::prefixed("", spec, choice, base)
    }

    /// The links of a list whose parameters are named with `prefix`.
    pub fn prefixed<K: Copy + PartialEq>(
        prefix: &'static str,
        spec: &ListSpec<K>,
        choice: &ListChoice<K>,
        base: &str,
    ) -> Self {
        let separator = if base.is_empty() { "" } else { "&" };
        let filtered = format!(
            "{base}{separator}{prefix}status={}&{prefix}per_page={}",
            choice.status.unwrap_or_default(),
            choice.per_page
        );
        Self { prefix, filtered, sorted: (spec.name_of(choice.key), choice.dir) }
    }

    /// The link of a sort heading: the list sorted by `key` in `dir`, from its first page.
    pub fn sort_href(&self) -> Callback<(&'static str, SortDir), String> {
        let (prefix, filtered) = (self.prefix, self.filtered.clone());
        Callback::new(move |(key, dir): (&'static str, SortDir)| {
            format!("?{filtered}&{prefix}sort={key}&{prefix}dir={}", dir.as_str())
        })
    }

    /// The previous and next pages' links, where there are such pages.
    pub fn pages<N>(&self, page: N, pages: N) -> (Option<String>, Option<String>)
    where
        N: Copy
            + PartialOrd
            + std::fmt::Display
            + std::ops::Add<Output = N>
            + std::ops::Sub<Output = N>
            + From<u8>,
    {
        let one = N::from(1);
        let (prefix, (key, dir)) = (self.prefix, self.sorted);
        let at = |target: N| {
            format!(
                "?{}&{prefix}sort={key}&{prefix}dir={}&{prefix}page={target}",
                self.filtered,
                dir.as_str()
            )
        };
        ((page > one).then(|| at(page - one)), (page < pages).then(|| at(page + one)))
    }

    /// The query values the status and page size form keeps: the sort, and `base`'s own.
    pub fn keep(&self, base: Vec<(String, String)>) -> Vec<(String, String)> {
        let mut keep = base;
        keep.push((format!("{}sort", self.prefix), self.sorted.0.to_owned()));
        keep.push((format!("{}dir", self.prefix), self.sorted.1.as_str().to_owned()));
        keep
    }
}
