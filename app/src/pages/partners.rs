use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::badges::PartnerStatusBadge;
use crate::components::layout::Can;
use crate::components::ui::{
    encode_component, DataTable, EmptyState, ErrorNotice, FormError, PageHeader, Pager,
    BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES,
    TD_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::partners::PartnerPage;
use crate::server_fns::partners::{list_partners, partner_path, AddPartner};

/// The org's partner configurations: search, pages, and a form to start a new one.
#[component]
pub fn PartnersPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || query.read().get("page").and_then(|p| p.parse().ok()).unwrap_or(1usize);
    let partners =
        Resource::new(move || (search(), page()), |(search, page)| list_partners(search, page));
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
                <ActionForm action=add attr:class=format!("{CARD_CLASSES} flex items-end gap-3")>
                    <div class="flex-1">
                        <label for="new-partner" class=LABEL_CLASSES>"Add a partner"</label>
                        <input id="new-partner" name="partner_org_id" required placeholder="Partner org id" class=format!("{INPUT_CLASSES} mt-1") />
                    </div>
                    <button type="submit" class=BUTTON_CLASSES>"Add"</button>
                </ActionForm>
            </Can>
        </div>
        <FormError action=add />
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading partners…"</p> }>
            {move || Suspend::new(async move {
                match partners.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) if page.partners.is_empty() => view! {
                        <EmptyState
                            title="No partners yet"
                            hint="Add a partner above, or share or offer an entity through the API: its configuration is created on first use."
                        />
                    }.into_any(),
                    Ok(page) => view! { <PartnerTable page search=search() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PartnerTable(page: PartnerPage, search: String) -> impl IntoView {
    let link = |target: usize| format!("?q={}&page={target}", encode_component(&search));
    let previous = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < page.pages).then(|| link(page.page + 1));
    view! {
        <DataTable test_id="partner-table" headers=&["Partner", "Status", "Users", "Shared", "Offered", "Role"]>
            {page.partners.into_iter().map(|partner| {
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
                    </tr>
                }
            }).collect_view()}
        </DataTable>
        <Pager summary=format!("Page {} of {} · {} partners", page.page, page.pages, page.total) previous next />
    }
}
