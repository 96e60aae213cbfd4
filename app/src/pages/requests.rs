use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::{Can, Tabs};
use crate::components::ui::{
    DataTable, EmptyState, ErrorNotice, FormError, LocalTime, PageHeader, BADGE_AMBER_CLASSES,
    BADGE_GREEN_CLASSES, BADGE_GREY_CLASSES, BUTTON_CLASSES, CARD_CLASSES, DANGER_BUTTON_CLASSES,
    INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES, TD_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::files::{AccessRequest, RequestStatus};
use crate::server_fns::files::{list_requests, AnswerRequest, RequestFile, WithdrawRequest};

/// Requests for access: incoming (approve or decline) and outgoing (withdraw, or ask).
#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let tab = move || {
        if query.read().get("tab").as_deref() == Some("outgoing") {
            "outgoing".to_owned()
        } else {
            "incoming".to_owned()
        }
    };
    let answer = ServerAction::<AnswerRequest>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let ask = ServerAction::<RequestFile>::new();
    let requests = Resource::new(
        move || (tab(), answer.version().get(), withdraw.version().get(), ask.version().get()),
        |(tab, ..)| list_requests(tab),
    );

    view! {
        <Title text="Requests" />
        <PageHeader title="Requests" summary="People asking for access to your files, and what you asked others for." />
        <Tabs
            current=Signal::derive(tab)
            tabs=&[("incoming", "Incoming", "/requests?tab=incoming"), ("outgoing", "Outgoing", "/requests?tab=outgoing")]
        />
        <Show when=move || tab() == "outgoing">
            <Can op=Operation::AccessRequestAsk>
            <section class=format!("{CARD_CLASSES} my-4")>
                <h2 class="text-base font-semibold">"Ask for access to a file"</h2>
                <ActionForm action=ask attr:class="mt-3 grid gap-3 md:grid-cols-3 md:items-end">
                    <div>
                        <label for="request-path" class=LABEL_CLASSES>"Path"</label>
                        <input id="request-path" name="path" required placeholder="/owner/file.pdf" class=format!("{INPUT_CLASSES} mt-1") />
                    </div>
                    <div>
                        <label for="request-message" class=LABEL_CLASSES>"Message (optional)"</label>
                        <input id="request-message" name="message" class=format!("{INPUT_CLASSES} mt-1") />
                    </div>
                    <button type="submit" class=BUTTON_CLASSES>"Ask"</button>
                </ActionForm>
                <FormError action=ask />
            </section>
            </Can>
        </Show>
        <FormError action=answer />
        <FormError action=withdraw />
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let incoming = tab() == "incoming";
                match requests.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(requests) if requests.is_empty() => view! {
                        <div class="mt-4">
                            <EmptyState
                                title=if incoming { "No requests for your files" } else { "You have not asked for anything" }
                                hint="Requests made here and through the Züs API appear in this list."
                            />
                        </div>
                    }.into_any(),
                    Ok(requests) => {
                        let headers: &'static [&'static str] = if incoming { &["File", "From", "Message", "Status", "Asked", ""] } else { &["File", "Owner", "Message", "Status", "Asked", ""] };
                        let rows = requests.into_iter().map(|request| view! { <RequestRow request incoming answer withdraw /> }).collect_view();
                        view! { <div class="mt-4"><DataTable test_id=if incoming { "incoming-requests" } else { "outgoing-requests" } headers=headers>{rows}</DataTable></div> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn RequestRow(
    request: AccessRequest,
    incoming: bool,
    answer: ServerAction<AnswerRequest>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let badge = match request.status {
        RequestStatus::Pending => BADGE_AMBER_CLASSES,
        RequestStatus::Approved => BADGE_GREEN_CLASSES,
        RequestStatus::Declined => BADGE_GREY_CLASSES,
    };
    let pending = request.status == RequestStatus::Pending;
    let (approve_id, decline_id, withdraw_id) =
        (request.id.clone(), request.id.clone(), request.id.clone());
    let actions = pending.then(move || {
        if incoming {
            view! {
                <Can op=Operation::AccessRequestAnswer>
                    {
                        let (approve_id, decline_id) = (approve_id.clone(), decline_id.clone());
                        view! {
                            <ActionForm action=answer attr:class="inline-flex items-center gap-2">
                                <input type="hidden" name="id" value=approve_id />
                                <input type="hidden" name="decision" value="approved" />
                                <input name="message" placeholder="Message (optional)" aria-label="Message with the approval" class="w-40 rounded-md border border-slate-300 px-2 py-1 text-sm" />
                                <button type="submit" class=BUTTON_CLASSES>"Approve"</button>
                            </ActionForm>
                            <ActionForm action=answer attr:class="ml-2 inline">
                                <input type="hidden" name="id" value=decline_id />
                                <input type="hidden" name="decision" value="declined" />
                                <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Decline"</button>
                            </ActionForm>
                        }
                    }
                </Can>
            }
            .into_any()
        } else {
            view! {
                <Can op=Operation::AccessRequestWithdraw>
                    {
                        let withdraw_id = withdraw_id.clone();
                        view! {
                            <ActionForm action=withdraw attr:class="inline">
                                <input type="hidden" name="id" value=withdraw_id />
                                <button type="submit" class=DANGER_BUTTON_CLASSES>"Withdraw"</button>
                            </ActionForm>
                        }
                    }
                </Can>
            }
            .into_any()
        }
    });
    let counterpart = if incoming { request.requester.username } else { request.owner.username };
    view! {
        <tr>
            <td class=TD_CLASSES>{request.file_title}</td>
            <td class=TD_CLASSES>{counterpart}</td>
            <td class=TD_CLASSES>{request.message}</td>
            <td class=TD_CLASSES><span class=badge data-testid="request-status">{request.status.as_str()}</span></td>
            <td class=TD_CLASSES><LocalTime stored=request.created_at.clone() /></td>
            <td class=format!("{TD_CLASSES} whitespace-nowrap text-right")>{actions}</td>
        </tr>
    }
}
