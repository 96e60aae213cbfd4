//! The audit entries of one thing or person, as the detail pages show them.

use leptos::prelude::*;

use crate::components::ui::{DataTable, LocalTime, TD_CLASSES};
use crate::domain::audit::EventView;

/// A detail page's "History" section: who did what and when, newest first, with a link to the
/// whole audit log.
#[component]
pub fn History(
    events: Vec<EventView>,
    #[prop(default = "history")] test_id: &'static str,
) -> impl IntoView {
    let body = if events.is_empty() {
        view! { <p class="mt-2 text-sm text-slate-500">"Nothing recorded yet."</p> }.into_any()
    } else {
        let rows = events
            .into_iter()
            .map(|event| {
                let object = event.object_name.clone().unwrap_or_else(|| event.object_type.clone());
                view! {
                    <tr>
                        <td class=format!("{TD_CLASSES} whitespace-nowrap")><LocalTime stored=event.created_at /></td>
                        <td class=TD_CLASSES>{event.actor_name}</td>
                        <td class=TD_CLASSES><code>{event.action}</code></td>
                        <td class=TD_CLASSES><span title=event.object_id>{object}</span></td>
                        <td class=TD_CLASSES>{event.face}</td>
                        <td class=format!("{TD_CLASSES} font-mono text-xs text-slate-600 break-all")>{event.detail.to_string()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable test_id=test_id headers=&["When", "Who", "Action", "Object", "Via", "Detail"]>{rows}</DataTable>
        }
        .into_any()
    };
    view! {
        <section class="mt-8" aria-labelledby=format!("{test_id}-title")>
            <h2 id=format!("{test_id}-title") class="text-lg font-semibold">"History"</h2>
            <p class="mb-2 text-sm text-slate-600">"The latest entries of the audit log. " <a href="/audit" class="text-indigo-700 underline">"The whole log"</a></p>
            {body}
        </section>
    }
}
