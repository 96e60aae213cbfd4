use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::badges::PartnerStatusBadge;
use crate::components::combobox::{Choice, Combobox};
use crate::components::layout::Can;
use crate::components::list::{refuse_unknown_list_params, use_list_params, ListLinks};
use crate::components::ui::{
    encode_component, Column, EmptyState, ErrorNotice, FormError, ListControls, LocalTime,
    PageHeader, Pager, SortedDataTable, BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES, LABEL_CLASSES,
    SECONDARY_BUTTON_CLASSES, TD_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::listing::{ListChoice, PartnerSort, PARTNER_LIST};
use crate::domain::partners::PartnerPage;
use crate::server_fns::partners::{find_orgs, list_partners, partner_path, AddPartner};

/// The org's partner configurations: search, pages, and a form to start a new one.
#[component]
pub fn PartnersPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || query.read().get("page").and_then(|p| p.parse().ok()).unwrap_or(1usize);
    let list_params = use_list_params();
    refuse_unknown_list_params(&PARTNER_LIST, &list_params());
    let partners = Resource::new(
        move || (search(), page(), list_params()),
        |(search, page, list)| {
            list_partners(search, page, list.sort, list.dir, list.status, list.per_page)
        },
    );
    // A browser's form encodes spaces as `+`, which the router's query map keeps as is.
    let find = move || query.read().get("find").unwrap_or_default().replace('+', " ");
    let add = ServerAction::<AddPartner>::new();

    view! {
        <Title text="Partners" />
        <PageHeader
            title="Partners"
            summary="Organisations you share entities with: their users, role, and what is shared or offered."
        />
        <div class="mb-6 grid gap-4 md:grid-cols-2">
            <form method="get" class=format!("{CARD_CLASSES} flex items-end gap-3") aria-label="Search partners">
                <div class="flex-1">
                    <label for="q" class=LABEL_CLASSES>"Search"</label>
                    <input id="q" name="q" type="search" value=search placeholder="Partner id or name" class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Search"</button>
            </form>
            <Can op=Operation::PartnerConfigure>
                <OrgPicker add find=find() />
            </Can>
        </div>
        <FormError action=add />
        <Can op=Operation::PartnerConfigure>
            <OrgMatches add find=find() />
        </Can>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading partners…"</p> }>
            {move || Suspend::new(async move {
                let Ok(choice) = PARTNER_LIST.parse(&list_params()) else {
                    return match partners.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(_) => ().into_any(),
                    };
                };
                match partners.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) if page.total == 0 && search().is_empty() && choice.status.is_none() => view! {
                        <EmptyState
                            title="No partners yet"
                            hint="Add a partner above, or share or offer an entity through the API: its configuration is created on first use."
                        />
                    }.into_any(),
                    Ok(page) => view! { <PartnerTable page search=search() choice /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The table's columns: those with a key sort the list.
const PARTNER_COLUMNS: &[Column] = &[
    ("Partner", Some("name")),
    ("Status", None),
    ("Users", Some("users")),
    ("Shared", Some("shared")),
    ("Offered", Some("offered")),
    ("Role", None),
    ("Changed", Some("updated")),
];

#[component]
fn PartnerTable(
    page: PartnerPage,
    search: String,
    choice: ListChoice<PartnerSort>,
) -> impl IntoView {
    let links = ListLinks::new(&PARTNER_LIST, &choice, &format!("q={}", encode_component(&search)));
    let (previous, next) = links.pages(page.page, page.pages);
    let (sorted, sort_href, keep) =
        (links.sorted, links.sort_href(), links.keep(vec![("q".to_owned(), search)]));
    let rows = page
        .partners
        .into_iter()
        .map(|partner| {
            let href = partner_path(&partner.partner_org_id);
            let limit = partner.user_limit.map_or_else(|| "no limit".to_owned(), |limit| limit.to_string());
            view! {
                <tr>
                    <td class=TD_CLASSES>
                        <a href=href class="font-medium text-indigo-700 hover:underline">
                            {partner.partner_name.clone().unwrap_or_else(|| partner.partner_org_id.clone())}
                        </a>
                        <div class="text-xs text-slate-500"><code>{partner.partner_org_id}</code></div>
                    </td>
                    <td class=TD_CLASSES><PartnerStatusBadge status=partner.partner_status /></td>
                    <td class=TD_CLASSES>{partner.users} " / " {limit}</td>
                    <td class=TD_CLASSES>{partner.shared}</td>
                    <td class=TD_CLASSES>{partner.offered}</td>
                    <td class=TD_CLASSES>{partner.role_name.unwrap_or_else(|| "—".to_owned())}</td>
                    <td class=TD_CLASSES><LocalTime stored=partner.updated_at /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ListControls label="Filter partners" statuses=PARTNER_LIST.statuses status=choice.status per_page=choice.per_page keep id="partners" />
        {(page.total == 0).then(|| view! {
            <EmptyState title="No partner matches" hint="Change the search or the status filter." />
        })}
        <SortedDataTable test_id="partner-table" columns=PARTNER_COLUMNS sorted href=sort_href>{rows}</SortedDataTable>
        <Pager summary=format!("Page {} of {} · {} partners", page.page, page.pages, page.total) previous next />
    }
}

/// Finds an org by name to add as a partner. Without JavaScript it is a search form whose
/// results ([`OrgMatches`]) each have an "Add" button; with JavaScript picking a match in the
/// combobox adds it at once.
#[component]
fn OrgPicker(add: ServerAction<AddPartner>, find: String) -> impl IntoView {
    let search = |text: String| async move {
        find_orgs(text)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|org| Choice { value: org.id, label: org.name, hint: None })
            .collect()
    };
    let on_pick = Callback::new(move |org: Choice| {
        add.dispatch(AddPartner { partner_org_id: org.value, not_on_sharewell: String::new() });
    });
    view! {
        <form method="get" action="/partners" class=format!("{CARD_CLASSES} flex items-end gap-3") aria-label="Find an org to add as a partner">
            <Combobox
                id="find-org"
                name="find"
                label="Add a partner: find its org by name"
                placeholder="Org name, e.g. Globex"
                value=find
                required=true
                search
                on_pick
            />
            <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Find"</button>
        </form>
    }
}

/// The orgs matching a submitted search, each with an "Add" button; when none matches it
/// says so and offers, clearly apart, to add a partner not on Sharewell yet by its id.
#[component]
fn OrgMatches(add: ServerAction<AddPartner>, find: String) -> impl IntoView {
    let text = find.trim().to_owned();
    if text.is_empty() {
        return view! { <AddById add /> }.into_any();
    }
    let matches = Resource::new(move || text.clone(), find_orgs);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Finding orgs…"</p> }>
            {move || {
                let searched = find.trim().to_owned();
                Suspend::new(async move {
                match matches.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(found) if found.is_empty() => view! {
                        <section class=format!("{CARD_CLASSES} mb-6") data-testid="org-matches">
                            <p role="status">"No org on Sharewell matches “" {searched} "”."</p>
                            <AddById add />
                        </section>
                    }.into_any(),
                    Ok(found) => view! {
                        <section class=format!("{CARD_CLASSES} mb-6") data-testid="org-matches" aria-labelledby="org-matches-title">
                            <h2 id="org-matches-title" class="text-sm font-semibold">"Orgs matching “" {searched} "”"</h2>
                            <ul class="mt-2 divide-y divide-slate-100">
                                {found.into_iter().map(|org| view! {
                                    <li class="flex items-center justify-between gap-3 py-2">
                                        <span class="min-w-0">
                                            <span class="font-medium" title=org.id.clone()>{org.name.clone()}</span>
                                            <code class="block truncate text-xs text-slate-500">{org.id.clone()}</code>
                                        </span>
                                        <ActionForm action=add>
                                            <input type="hidden" name="partner_org_id" value=org.id.clone() />
                                            <button type="submit" class=BUTTON_CLASSES aria-label=format!("Add {}", org.name)>"Add"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                }
            })}}
        </Suspense>
    }
    .into_any()
}

/// Adds a partner that has no org on Sharewell yet, by the id it will have: labelled as such,
/// so that a name typed here is not mistaken for a pick.
#[component]
fn AddById(add: ServerAction<AddPartner>) -> impl IntoView {
    view! {
        <details class="mb-6 mt-2 text-sm">
            <summary class="cursor-pointer text-indigo-700">"Partner not on Sharewell yet? Add it by id"</summary>
            <ActionForm action=add attr:class="mt-2 flex items-end gap-3">
                <div class="min-w-0 flex-1">
                    <label for="new-partner" class=LABEL_CLASSES>"Partner org id (not on Sharewell yet)"</label>
                    <input id="new-partner" name="partner_org_id" required placeholder="The id the partner's org will have" class=format!("{INPUT_CLASSES} mt-1") />
                    <input type="hidden" name="not_on_sharewell" value="yes" />
                </div>
                <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Add by id"</button>
            </ActionForm>
        </details>
    }
}
