use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::ui::{
    encode_component, DataTable, EmptyState, ErrorNotice, LocalTime, PageHeader, INPUT_CLASSES,
    LABEL_CLASSES, SECONDARY_BUTTON_CLASSES, TD_CLASSES,
};
use crate::domain::audit::{EventPage, PAGE_SIZE};
use crate::domain::listing::PER_PAGE_CHOICES;
use crate::server_fns::{list_audit_actions, list_audit_events};

/// The org's audit log, newest first, filterable by action, a page at a time. The filter
/// and paging live in the URL, so every view can be bookmarked and works without JavaScript.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let selected_action = move || query.read().get("action").filter(|action| !action.is_empty());
    let before = move || query.read().get("before");
    let per_page = move || query.read().get("per_page").unwrap_or_default();
    let events = Resource::new(
        move || (selected_action(), before(), per_page()),
        |(action, before, per_page)| list_audit_events(action, before, per_page),
    );
    let actions = Resource::new(|| (), |_| list_audit_actions());

    view! {
        <Title text="Audit log" />
        <PageHeader
            title="Audit log"
            summary="Every change in your organisation: who made it, when, and through which way in."
        />
        <form method="get" class="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter events">
            <div>
                <label for="action" class=LABEL_CLASSES>
                    "Action"
                </label>
                <select id="action" name="action" class=format!("{INPUT_CLASSES} mt-1")>
                    <option value="">"All actions"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let selected = selected_action();
                            actions
                                .await
                                .unwrap_or_default()
                                .into_iter()
                                .map(|action| {
                                    let is_selected = selected.as_deref() == Some(action.as_str());
                                    view! {
                                        <option value=action.clone() selected=is_selected>
                                            {action.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        })}
                    </Suspense>
                </select>
            </div>
            <div>
                <label for="audit-per-page" class=LABEL_CLASSES>"Per page"</label>
                <select id="audit-per-page" name="per_page" class=format!("{INPUT_CLASSES} mt-1")>
                    {move || {
                        let chosen = per_page().parse().unwrap_or(i64::from(PAGE_SIZE));
                        PER_PAGE_CHOICES
                            .iter()
                            .map(|size| view! { <option value=size.to_string() selected=*size == chosen>{size.to_string()}</option> })
                            .collect_view()
                    }}
                </select>
            </div>
            <button type="submit" class=SECONDARY_BUTTON_CLASSES>
                "Filter"
            </button>
        </form>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) if page.events.is_empty() => {
                        view! {
                            <EmptyState
                                title="No events"
                                hint="Nothing has been recorded for this filter yet."
                            />
                        }
                            .into_any()
                    }
                    Ok(page) => view! { <EventTable page action=selected_action() per_page=per_page() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EventTable(page: EventPage, action: Option<String>, per_page: String) -> impl IntoView {
    // The filter and page size every link keeps; the older page adds its cursor.
    let kept: Vec<String> = [("action", action.unwrap_or_default()), ("per_page", per_page)]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_component(&value)))
        .collect();
    let newest = format!("?{}", kept.join("&"));
    let older = page.next_before.map(|before| {
        let mut query = kept.clone();
        query.push(format!("before={before}"));
        format!("?{}", query.join("&"))
    });

    view! {
        <DataTable
            test_id="event-table"
            headers=&["When", "Who", "Action", "Object", "Via", "Detail"]
        >
                    {page
                        .events
                        .into_iter()
                        .map(|event| {
                            view! {
                                <tr>
                                    <td class=format!("{TD_CLASSES} whitespace-nowrap")><LocalTime stored=event.created_at.clone() /></td>
                                    <td class=TD_CLASSES>{event.actor_name}</td>
                                    <td class=TD_CLASSES><code>{event.action}</code></td>
                                    <td class=TD_CLASSES>
                                        {event.object_type} " "
                                        {match event.object_name {
                                            Some(name) => view! { <span class="font-medium" title=event.object_id>{name}</span> }.into_any(),
                                            None => view! { <code class="text-xs text-slate-500 break-all">{event.object_id}</code> }.into_any(),
                                        }}
                                    </td>
                                    <td class=TD_CLASSES>{event.face}</td>
                                    <td class=format!("{TD_CLASSES} font-mono text-xs text-slate-600 break-all")>
                                        {event.detail.to_string()}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
        </DataTable>
        <nav aria-label="Pages" class="mt-4 flex justify-between text-sm">
            <a href=newest class="text-indigo-700 hover:underline">"Newest"</a>
            {older.map(|href| view! { <a href=href class="text-indigo-700 hover:underline" data-testid="older-events">"Older →"</a> })}
        </nav>
    }
}
