use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::use_feedback;
use crate::components::ui::{
    EmptyState, ErrorNotice, LocalTime, PageHeader, CARD_CLASSES, SECONDARY_BUTTON_CLASSES,
};
use crate::server_fns::files::{list_notifications, MarkRead};

/// What happened to the user: shares received, requests, answers.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let mark = ServerAction::<MarkRead>::new();
    let notifications = Resource::new(move || mark.version().get(), |_| list_notifications());
    use_feedback(mark);

    view! {
        <Title text="Notifications" />
        <PageHeader title="Notifications" summary="Shares you received, requests for your files, and answers to yours." />
        <ActionForm action=mark attr:class="mb-4">
            <input type="hidden" name="id" value="" />
            <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Mark all as read"</button>
        </ActionForm>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match notifications.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <EmptyState title="No notifications" hint="You will be told here when someone shares with you or asks for access." /> }.into_any(),
                    Ok(list) => view! {
                        <ul class=format!("{CARD_CLASSES} divide-y divide-slate-100") data-testid="notifications">
                            {list.into_iter().map(|notification| {
                                let id = notification.id.clone();
                                view! {
                                    <li class="flex items-center justify-between gap-3 py-2">
                                        <span class=if notification.read { "text-slate-500" } else { "font-medium" }>
                                            {notification.link.clone().map_or_else(
                                                || notification.title.clone().into_any(),
                                                |link| view! { <a href=link class="hover:underline">{notification.title.clone()}</a> }.into_any(),
                                            )}
                                        </span>
                                        <span class="flex items-center gap-3 text-xs text-slate-500">
                                            <LocalTime stored=notification.created_at.clone() />
                                            {(!notification.read).then(|| view! {
                                                <ActionForm action=mark>
                                                    <input type="hidden" name="id" value=id />
                                                    <button type="submit" class="text-indigo-700 hover:underline">"Mark read"</button>
                                                </ActionForm>
                                            })}
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
