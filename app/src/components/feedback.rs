//! Feedback after an action, and safety before a destructive one.
//!
//! - [`Toasts`]: the page frame's one ARIA live region. A page attaches [`use_feedback`] to
//!   each of its `ServerAction`s; when one succeeds its message (from
//!   [`done_message`](crate::components::form_result::done_message)) is said there, the form
//!   that posted it is cleared and the navigation counts are read again. Without JavaScript
//!   the same region shows the `?done=` message of a plain form post.
//! - [`Confirm`]: the confirm step of a destructive action, a disclosure that works without
//!   JavaScript and says what will happen before the real button is reachable.
//! - [`CopyField`]: a read-only field with a copy button (the button appears once the page is
//!   hydrated: without JavaScript it could not copy).

use std::time::Duration;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::form_result::{done_message, FormDone};
use crate::components::ui::{DANGER_BUTTON_CLASSES, SECONDARY_BUTTON_CLASSES};
use crate::server_fns::files::NavigationCounts;

/// How long a message stays before it fades (it can be dismissed sooner).
const TOAST_LIFETIME: Duration = Duration::from_secs(8);

/// At most this many messages at once; the oldest goes first.
const MAX_TOASTS: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Toast {
    id: u64,
    text: String,
}

/// The frame's feedback state: the messages in the live region, and the navigation counts
/// read again after a change (until then the frame's own are shown).
#[derive(Clone, Copy)]
pub struct Toasts {
    messages: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
    counts: RwSignal<Option<NavigationCounts>>,
}

impl Toasts {
    /// Creates the state and provides it to the frame and its pages.
    pub fn provide() -> Self {
        let toasts = Self {
            messages: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
            counts: RwSignal::new(None),
        };
        provide_context(toasts);
        toasts
    }

    /// Says `text` in the live region for a few seconds.
    pub fn say(self, text: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let text = text.into();
        self.messages.update(|all| {
            all.push(Toast { id, text });
            if all.len() > MAX_TOASTS {
                all.remove(0);
            }
        });
        set_timeout(move || self.dismiss(id), TOAST_LIFETIME);
    }

    fn dismiss(self, id: u64) {
        // The frame may be gone by the time a message fades.
        let _ = self.messages.try_update(|all| all.retain(|toast| toast.id != id));
    }

    /// The navigation counts as last read after a change, if any was made on this page.
    pub fn counts(self) -> Option<NavigationCounts> {
        self.counts.get()
    }

    /// Forgets counts read after a change: a new page brings its own.
    pub fn forget_counts(self) {
        self.counts.set(None);
    }

    /// Reads the navigation counts again ("Requests 3" becomes 2 after answering one).
    pub fn refresh_counts(self) {
        let counts = self.counts;
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = crate::server_fns::files::nav_counts().await {
                let _ = counts.try_set(Some(fresh));
            }
        });
    }

    /// After the server function at `path` succeeded: its message, its forms cleared, and
    /// the counts read again.
    fn after_success(self, path: &'static str, text: String) {
        self.say(text);
        self.refresh_counts();
        #[cfg(feature = "hydrate")]
        client::clear_forms(path);
        #[cfg(not(feature = "hydrate"))]
        let _ = path;
    }
}

/// Attaches the frame's feedback to `action`: its message from
/// [`done_message`](crate::components::form_result::done_message) when it succeeds.
pub fn use_feedback<A>(action: ServerAction<A>)
where
    A: ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let message = done_message(endpoint_name(A::PATH)).unwrap_or("Done.");
    use_feedback_with(action, move |_, _| Some(message.to_owned()));
}

/// Like [`use_feedback`], with the message made from what was sent and what came back;
/// `None` means the call returned but did not do what was asked (nothing is said, the form
/// is kept).
pub fn use_feedback_with<A>(
    action: ServerAction<A>,
    message: impl Fn(&A, &A::Output) -> Option<String> + 'static,
) where
    A: ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let Some(toasts) = use_context::<Toasts>() else { return };
    // The action forgets its input when it is done; the message may need it.
    let sent = StoredValue::new(None::<A>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            sent.set_value(Some(input));
        }
    });
    // Effects run only in the browser: a plain form post is answered by `?done=` instead.
    Effect::new(move |_| {
        if action.version().get() == 0 {
            return;
        }
        let outcome = action.value().with_untracked(|value| match value {
            Some(Ok(output)) => {
                sent.with_value(|input| input.as_ref().map(|input| message(input, output)))
            }
            _ => None,
        });
        // `Some(None)`: it returned but did not do it; the page says why, the form stays.
        if let Some(Some(text)) = outcome {
            toasts.after_success(A::PATH, text);
        }
    });
}

/// `/api/revoke_token` → `revoke_token`.
fn endpoint_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The frame's live region: the message of a plain form post (`?done=`) and, with
/// JavaScript, the messages of actions as they succeed, each fading after a few seconds.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let toasts = use_context::<Toasts>();
    let messages = move || toasts.map(|toasts| toasts.messages.get()).unwrap_or_default();
    view! {
        <div aria-live="polite" role="status" data-testid="live-region">
            <FormDone />
            <div class="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
                <For
                    each=messages
                    key=|toast| toast.id
                    children=move |toast: Toast| view! {
                    <div
                        data-testid="toast"
                        class="flex w-full max-w-sm items-start gap-3 rounded-md bg-slate-900 px-4 py-3 text-sm text-white shadow-lg"
                    >
                        <span class="min-w-0 flex-1 break-words">{toast.text.clone()}</span>
                        <button
                            type="button"
                            class="pointer-events-auto -my-1 rounded px-2 py-1 text-slate-200 hover:bg-slate-700 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-white"
                            aria-label="Dismiss the message"
                            on:click=move |_| {
                                if let Some(toasts) = toasts {
                                    toasts.dismiss(toast.id);
                                }
                            }
                        >
                            "×"
                        </button>
                    </div>
                    }
                />
            </div>
        </div>
    }
}

/// The confirm step of a destructive action. Without JavaScript it is a disclosure: its
/// summary names the action ("Revoke…"), and opening it shows what will happen and the real
/// button (the `children`, usually an `ActionForm`). Nothing is posted until that button is
/// pressed. Escape closes it again.
#[component]
pub fn Confirm(
    /// The summary's words, ending in "…": "Revoke…".
    #[prop(into)]
    action: String,
    /// What the action is on, for screen readers when the words alone are ambiguous in a
    /// list: `token ci` names the summary "Revoke… (token ci)".
    #[prop(optional, into)]
    object: Option<String>,
    /// What happens, spelled out: "Programs using it are refused at once."
    #[prop(into)]
    consequence: String,
    /// A plain (not red) summary, for actions that are not deletions (decline, rotate).
    #[prop(optional)]
    plain: bool,
    children: Children,
) -> impl IntoView {
    let details = NodeRef::<leptos::html::Details>::new();
    // The name starts with the visible words, so that speaking them finds the control.
    let label = object.map(|object| format!("{action} ({object})"));
    let summary_class = if plain { SECONDARY_BUTTON_CLASSES } else { DANGER_BUTTON_CLASSES };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            if let Some(details) = details.get() {
                if details.has_attribute("open") {
                    event.prevent_default();
                    let _ = details.remove_attribute("open");
                }
            }
        }
    };
    view! {
        <details node_ref=details class="inline-block max-w-full align-top text-left" data-confirm on:keydown=on_key>
            <summary
                class=format!("{summary_class} cursor-pointer list-none whitespace-nowrap")
                aria-label=label
                data-testid="confirm-open"
            >
                {action}
            </summary>
            <div class="mt-2 w-72 max-w-full whitespace-normal rounded-md border border-red-200 bg-red-50 p-3 text-sm" data-testid="confirm-step">
                <p class="text-red-900" data-testid="confirm-consequence">{consequence}</p>
                <div class="mt-2 flex flex-wrap items-center gap-2">{children()}</div>
            </div>
        </details>
    }
}

/// A value to copy elsewhere (a secret, a link): a read-only field, selectable without
/// JavaScript, with a copy button once the page is hydrated.
#[component]
pub fn CopyField(
    #[prop(into)] value: String,
    /// What the value is, for the field's and the button's accessible names.
    #[prop(into)]
    label: String,
    test_id: &'static str,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let copied = RwSignal::new(false);
    let toasts = use_context::<Toasts>();
    let copy = {
        let value = value.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            client::copy(value.clone(), copied, toasts);
            #[cfg(not(feature = "hydrate"))]
            let _ = (&value, toasts);
        }
    };
    let field_label = label.clone();
    // Starts with the visible word, "Copy" or "Copied".
    let button_label = move || format!("{} {label}", if copied.get() { "Copied" } else { "Copy" });
    view! {
        <span class="mt-2 flex min-w-0 max-w-full items-center gap-2">
            <input
                readonly
                value=value
                aria-label=field_label
                data-testid=test_id
                on:focus=move |event| {
                    #[cfg(feature = "hydrate")]
                    client::select_all(&event);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = event;
                }
                class="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs text-slate-900"
            />
            <button
                type="button"
                class=SECONDARY_BUTTON_CLASSES
                hidden=move || !hydrated.get()
                aria-label=button_label
                data-testid="copy"
                on:click=copy
            >
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use web_sys::wasm_bindgen::JsCast;

    use super::Toasts;

    /// Empties the forms that post to `path` (the ones that just worked) and closes the
    /// confirm steps around them.
    pub fn clear_forms(path: &str) {
        let Ok(forms) = document().query_selector_all(&format!("form[action=\"{path}\"]")) else {
            return;
        };
        for index in 0..forms.length() {
            let Some(form) =
                forms.item(index).and_then(|node| node.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                continue;
            };
            form.reset();
            if let Ok(Some(step)) = form.closest("details[data-confirm]") {
                let _ = step.remove_attribute("open");
            }
        }
    }

    /// Puts `value` on the clipboard, then says so.
    pub fn copy(value: String, copied: RwSignal<bool>, toasts: Option<Toasts>) {
        let clipboard = window().navigator().clipboard();
        leptos::task::spawn_local(async move {
            let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&value)).await;
            match done {
                Ok(_) => {
                    copied.set(true);
                    if let Some(toasts) = toasts {
                        toasts.say("Copied to the clipboard.");
                    }
                }
                Err(_) => {
                    if let Some(toasts) = toasts {
                        toasts.say("Could not copy: select the text and copy it yourself.");
                    }
                }
            }
        });
    }

    pub fn select_all(event: &leptos::ev::FocusEvent) {
        if let Some(input) =
            event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    }
}
