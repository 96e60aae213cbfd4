//! "Who has access and why": every grant of every kind of share, filtered by item, org or
//! person, with a revoke (after a confirm step) and a CSV export. Works without JavaScript:
//! the filters are a GET form, the confirm step a link, the revoke a plain POST.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::ui::{
    encode_component, EmptyState, ErrorNotice, LocalTime, PageHeader, Pager, BADGE_AMBER_CLASSES,
    BADGE_GREEN_CLASSES, BADGE_GREY_CLASSES, CARD_CLASSES, DANGER_BUTTON_CLASSES, INPUT_CLASSES,
    LABEL_CLASSES, SECONDARY_BUTTON_CLASSES,
};
use crate::domain::access::{AccessParams, Direction, Grant, GrantPage, ItemKind};
use crate::server_fns::access::access_grants;

/// The query string that asks for the same filter (without the page), for links.
fn filter_query(params: &AccessParams) -> String {
    let pairs = [
        ("item_kind", &params.item_kind),
        ("item", &params.item),
        ("org", &params.org),
        ("person", &params.person),
        ("per_page", &params.per_page),
    ];
    pairs
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The link to this page filtered to one item.
pub fn item_access_path(item_kind: &str, item: &str) -> String {
    format!("/access?item_kind={}&item={}", encode_component(item_kind), encode_component(item))
}

#[component]
pub fn AccessPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let params = move || AccessParams {
        item_kind: param("item_kind"),
        item: param("item"),
        org: param("org"),
        person: param("person"),
        page: param("page"),
        per_page: param("per_page"),
    };
    let grants = Resource::new(params, access_grants);

    view! {
        <Title text="Who has access" />
        <PageHeader
            title="Who has access"
            summary="Every grant in one list — files and apps shared with people, entities shared with and offered to partners, account shares — with how each was granted, when it ends, and a way to revoke it."
        />
        <form method="get" action="/access" aria-label="Filter grants" class=format!("{CARD_CLASSES} mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4 sm:items-end")>
            <div class="min-w-0">
                <label for="access-item-kind" class=LABEL_CLASSES>"Item kind"</label>
                <select id="access-item-kind" name="item_kind" class=format!("{INPUT_CLASSES} mt-1")>
                    <option value="">"Any"</option>
                    {ItemKind::ALL
                        .into_iter()
                        .map(|kind| {
                            let value = kind.as_str();
                            view! { <option value=value selected=move || param("item_kind") == value>{value}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="min-w-0">
                <label for="access-item" class=LABEL_CLASSES>"Item (id, path or entity id)"</label>
                <input id="access-item" name="item" value=move || param("item") class=format!("{INPUT_CLASSES} mt-1") />
            </div>
            <div class="min-w-0">
                <label for="access-org" class=LABEL_CLASSES>"Org (name or id)"</label>
                <input id="access-org" name="org" value=move || param("org") class=format!("{INPUT_CLASSES} mt-1") />
            </div>
            <div class="min-w-0">
                <label for="access-person" class=LABEL_CLASSES>"Person (username or email)"</label>
                <input id="access-person" name="person" value=move || param("person") class=format!("{INPUT_CLASSES} mt-1") />
            </div>
            <div class="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-4">
                <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Show grants"</button>
                <a href="/access" class="text-sm text-indigo-700 hover:underline">"Clear filters"</a>
                <a
                    href=move || {
                        let filter = filter_query(&params());
                        if filter.is_empty() { "/access.csv".to_owned() } else { format!("/access.csv?{filter}") }
                    }
                    download="access-review.csv"
                    class="text-sm font-medium text-indigo-700 hover:underline"
                    data-testid="access-csv"
                >
                    "Download CSV for an access review"
                </a>
            </div>
        </form>
        {move || (param("revoked") == "1").then(|| view! {
            <p role="status" class="mb-4 rounded-md border border-green-200 bg-green-50 p-3 text-sm text-green-800" data-testid="revoked-notice">
                "Revoked. The list below no longer shows that grant."
            </p>
        })}
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || {
                let (current, confirm) = (params(), param("confirm"));
                Suspend::new(async move {
                    match grants.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(page) => view! { <GrantList page current confirm /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn GrantList(page: GrantPage, current: AccessParams, confirm: String) -> impl IntoView {
    if page.grants.is_empty() {
        return view! {
            <EmptyState
                title="No grants match"
                hint=if page.whole_org {
                    "Nothing your organization shares or receives matches these filters."
                } else {
                    "You see the shares of your own files and the shares with you; nothing matches these filters."
                }
            />
        }
        .into_any();
    }
    let filter = filter_query(&current);
    let with_filter = move |rest: String| {
        if filter.is_empty() {
            format!("/access?{rest}")
        } else {
            format!("/access?{filter}&{rest}")
        }
    };
    let here = with_filter(format!("page={}", page.page));
    let previous = (page.page > 1).then(|| with_filter(format!("page={}", page.page - 1)));
    let next = (page.page < page.pages).then(|| with_filter(format!("page={}", page.page + 1)));
    let summary = format!(
        "Page {} of {} · {} grant{}{}",
        page.page,
        page.pages,
        page.total,
        if page.total == 1 { "" } else { "s" },
        if page.whole_org { "" } else { " (yours)" }
    );
    let cards = page
        .grants
        .into_iter()
        .map(|grant| {
            let key = format!("{}:{}", grant.kind.as_str(), grant.id);
            let confirming = confirm == key;
            let confirm_href =
                format!("{here}&confirm={}#grant-{}", encode_component(&key), grant.id);
            view! { <GrantCard grant confirming confirm_href back=here.clone() /> }
        })
        .collect_view();
    view! {
        <ul class="space-y-3" data-testid="grants">{cards}</ul>
        <Pager summary previous next label="Pages of grants" />
    }
    .into_any()
}

#[component]
fn GrantCard(grant: Grant, confirming: bool, confirm_href: String, back: String) -> impl IntoView {
    let status_class = match grant.status.as_str() {
        "active" | "associated" | "accepted" => BADGE_GREEN_CLASSES,
        "pending" | "associating" => BADGE_AMBER_CLASSES,
        _ => BADGE_GREY_CLASSES,
    };
    let who = match (&grant.grantee_kind[..], &grant.grantee_org_name) {
        ("person", Some(org)) => format!("{} ({org})", grant.grantee_name),
        _ => grant.grantee_name.clone(),
    };
    let who_link = match grant.grantee_kind.as_str() {
        "person" => Some(format!("/access?person={}", encode_component(&grant.grantee_name))),
        "org" => {
            grant.grantee_id.as_deref().map(|id| format!("/access?org={}", encode_component(id)))
        }
        _ => None,
    };
    let granted_how = format!(
        "{}{}",
        grant.granted_by.as_deref().map(|by| format!(" by {by}")).unwrap_or_default(),
        grant.face.as_deref().map(|face| format!(" via {face}")).unwrap_or_default(),
    );
    let expires = match grant.expires_at.clone() {
        Some(expires_at) => view! { <LocalTime stored=expires_at /> }.into_any(),
        None => "never".into_any(),
    };
    let item_link = item_access_path(&grant.item_kind, &grant.item_id);
    let received = grant.direction == Direction::Received;
    let from = received.then(|| format!("from {}", grant.grantor_org_name));
    let resources = (!grant.resources.is_empty()).then(|| grant.resources.join(", "));
    let revoke = grant.revoke.clone().map(|revoke| {
        if confirming {
            view! {
                <div role="alertdialog" aria-labelledby=format!("confirm-{}", grant.id) class="mt-3 rounded-md border border-red-200 bg-red-50 p-3" data-testid="revoke-confirm">
                    <p id=format!("confirm-{}", grant.id) class="text-sm text-red-900">
                        <strong>{format!("{}? ", revoke.action.label())}</strong>
                        {revoke.consequence.clone()}
                    </p>
                    <form method="post" action="/api/revoke_grant" class="mt-2 flex flex-wrap items-center gap-3">
                        <input type="hidden" name="kind" value=grant.kind.as_str() />
                        <input type="hidden" name="id" value=grant.id.clone() />
                        <input type="hidden" name="back" value=back.clone() />
                        <button type="submit" class=DANGER_BUTTON_CLASSES data-testid="revoke-yes">
                            {format!("Yes, {}", revoke.action.label().to_lowercase())}
                        </button>
                        <a href=back.clone() class="text-sm text-slate-700 underline">"Cancel"</a>
                    </form>
                </div>
            }
            .into_any()
        } else {
            view! {
                <a href=confirm_href.clone() class=format!("{DANGER_BUTTON_CLASSES} mt-3") data-testid="revoke">
                    {format!("{}…", revoke.action.label())}
                </a>
            }
            .into_any()
        }
    });
    view! {
        <li id=format!("grant-{}", grant.id) class=format!("{CARD_CLASSES} min-w-0") data-testid="grant" data-kind=grant.kind.as_str()>
            <div class="flex flex-wrap items-center gap-2 text-xs">
                <span class=BADGE_GREY_CLASSES>{grant.kind.label()}</span>
                <span class=status_class data-testid="grant-status">{grant.status.clone()}</span>
                {from.map(|from| view! { <span class=BADGE_AMBER_CLASSES>{from}</span> })}
            </div>
            <dl class="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[8rem_1fr]">
                <dt class="text-slate-500">"What"</dt>
                <dd class="min-w-0 break-words">
                    <a href=item_link class="font-medium text-indigo-700 hover:underline" title=grant.item_id.clone()>{grant.item_name.clone()}</a>
                    " "
                    <span class="text-slate-500">{format!("({})", grant.item_kind)}</span>
                    {resources.map(|list| view! { <span class="block text-xs text-slate-500">{list}</span> })}
                </dd>
                <dt class="text-slate-500">"Who"</dt>
                <dd class="min-w-0 break-words" data-testid="grant-who">
                    {match who_link {
                        Some(href) => view! { <a href=href class="text-indigo-700 hover:underline" title=grant.grantee_id.clone().unwrap_or_default()>{who}</a> }.into_any(),
                        None => who.into_any(),
                    }}
                    {grant.access.clone().map(|access| view! { <span class="text-slate-500">{format!(" · {access}")}</span> })}
                </dd>
                <dt class="text-slate-500">"How"</dt>
                <dd class="min-w-0 break-words" data-testid="grant-how">{grant.how.clone()}</dd>
                <dt class="text-slate-500">"Granted"</dt>
                <dd class="min-w-0 break-words" data-testid="grant-when"><LocalTime stored=grant.granted_at.clone() />{granted_how}</dd>
                <dt class="text-slate-500">"Expires"</dt>
                <dd data-testid="grant-expires">{expires}</dd>
            </dl>
            {revoke}
        </li>
    }
}
