use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{use_feedback, use_feedback_with, Confirm};
use crate::components::layout::{Can, Frame, Tabs};
use crate::components::list::{refuse_unknown_list_params, use_list_params, ListLinks};
use crate::components::ui::{
    Column, EmptyState, ErrorNotice, FormError, ListControls, LocalTime, PageHeader, Pager,
    SortedDataTable, BADGE_AMBER_CLASSES, BADGE_GREEN_CLASSES, BADGE_GREY_CLASSES, BUTTON_CLASSES,
    CARD_CLASSES, DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, TD_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::files::{AccessRequest, RequestPage, RequestStatus};
use crate::domain::listing::{ListChoice, RequestSort, REQUEST_LIST};
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
    let page = move || query.read().get("page").unwrap_or_default();
    let list_params = use_list_params();
    refuse_unknown_list_params(&REQUEST_LIST, &list_params());
    let answer = ServerAction::<AnswerRequest>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let ask = ServerAction::<RequestFile>::new();
    let requests = Resource::new(
        move || {
            (
                tab(),
                page(),
                list_params(),
                answer.version().get(),
                withdraw.version().get(),
                ask.version().get(),
            )
        },
        |(tab, page, list, ..)| {
            list_requests(tab, page, list.sort, list.dir, list.status, list.per_page)
        },
    );
    use_feedback_with(answer, |sent, _| {
        Some(
            if sent.decision == "declined" { "Request declined." } else { "Request approved." }
                .to_owned(),
        )
    });
    use_feedback(withdraw);
    use_feedback(ask);
    let frame = use_context::<Frame>();

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
                let may = match frame {
                    Some(frame) => RowPermissions {
                        answer: frame.allows(Operation::AccessRequestAnswer).await,
                        withdraw: frame.allows(Operation::AccessRequestWithdraw).await,
                    },
                    None => RowPermissions::default(),
                };
                let Ok(choice) = REQUEST_LIST.parse(&list_params()) else {
                    return match requests.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(_) => ().into_any(),
                    };
                };
                match requests.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(listed) if listed.total == 0 && choice.status.is_none() => view! {
                        <div class="mt-4">
                            <EmptyState
                                title=if incoming { "No requests for your files" } else { "You have not asked for anything" }
                                hint="Requests made here and through the Züs API appear in this list."
                            />
                        </div>
                    }.into_any(),
                    Ok(listed) => view! { <RequestList listed incoming choice tab=tab() may answer withdraw /> }.into_any(),
                }
            })}
        </Transition>
    }
}

const INCOMING_COLUMNS: &[Column] = &[
    ("File", Some("file")),
    ("From", None),
    ("Message", None),
    ("Status", Some("status")),
    ("Asked", Some("asked")),
    ("", None),
];
const OUTGOING_COLUMNS: &[Column] = &[
    ("File", Some("file")),
    ("Owner", None),
    ("Message", None),
    ("Status", Some("status")),
    ("Asked", Some("asked")),
    ("", None),
];

/// One side's requests as a sortable table, with its status filter, page size and pages.
#[component]
fn RequestList(
    listed: RequestPage,
    incoming: bool,
    choice: ListChoice<RequestSort>,
    tab: String,
    may: RowPermissions,
    answer: ServerAction<AnswerRequest>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let links = ListLinks::new(&REQUEST_LIST, &choice, &format!("tab={tab}"));
    let (previous, next) = links.pages(listed.page, listed.pages);
    let (sorted, sort_href, keep) =
        (links.sorted, links.sort_href(), links.keep(vec![("tab".to_owned(), tab)]));
    let rows = listed
        .requests
        .into_iter()
        .map(|request| view! { <RequestRow request incoming may answer withdraw /> })
        .collect_view();
    let (test_id, columns) = if incoming {
        ("incoming-requests", INCOMING_COLUMNS)
    } else {
        ("outgoing-requests", OUTGOING_COLUMNS)
    };
    view! {
        <ListControls label="Filter requests" statuses=REQUEST_LIST.statuses status=choice.status per_page=choice.per_page keep id="requests" />
        {(listed.total == 0).then(|| view! {
            <EmptyState title="No request has this status" hint="Choose another status, or all." />
        })}
        <SortedDataTable test_id columns sorted href=sort_href>{rows}</SortedDataTable>
        <Pager summary=format!("Page {} of {} · {} requests", listed.page, listed.pages, listed.total) previous next label="Pages of requests" />
    }
}

/// What the actor may do to the listed requests, read once for the whole list (a `Can` in
/// each row would be a suspense inside the list's own, which fails to hydrate).
#[derive(Clone, Copy, Debug, Default)]
struct RowPermissions {
    answer: bool,
    withdraw: bool,
}

#[component]
fn RequestRow(
    request: AccessRequest,
    incoming: bool,
    may: RowPermissions,
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
    let file = request.file_title.clone();
    let (requester, owner) = (request.requester.username.clone(), request.owner.username.clone());
    let actions = pending.then(move || {
        if incoming {
            may.answer.then(|| view! {
                <span class="inline-flex flex-wrap items-start justify-end gap-2">
                    <ActionForm action=answer attr:class="inline-flex items-center gap-2">
                        <input type="hidden" name="id" value=approve_id />
                        <input type="hidden" name="decision" value="approved" />
                        <input name="message" placeholder="Message (optional)" aria-label="Message with the approval" class="w-40 rounded-md border border-slate-300 px-2 py-1 text-sm" />
                        <button type="submit" class=BUTTON_CLASSES>"Approve"</button>
                    </ActionForm>
                    <Confirm
                        action="Decline…"
                        object=format!("request of {requester} for {file}")
                        consequence=format!("{requester} is told that you said no, and gets no access.")
                        plain=true
                    >
                        <ActionForm action=answer>
                            <input type="hidden" name="id" value=decline_id />
                            <input type="hidden" name="decision" value="declined" />
                            <button type="submit" class=DANGER_BUTTON_CLASSES>"Decline the request"</button>
                        </ActionForm>
                    </Confirm>
                </span>
            })
            .into_any()
        } else {
            may.withdraw.then(|| view! {
                <Confirm
                    action="Withdraw…"
                    object=format!("request for {file}")
                    consequence=format!("Your request is withdrawn: {owner} can no longer answer it.")
                >
                    <ActionForm action=withdraw>
                        <input type="hidden" name="id" value=withdraw_id />
                        <button type="submit" class=DANGER_BUTTON_CLASSES>"Withdraw the request"</button>
                    </ActionForm>
                </Confirm>
            })
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
