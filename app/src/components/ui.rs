//! Small building blocks: headings, notices, empty states, time stamps.

use leptos::prelude::*;

use crate::domain::listing::{SortDir, PER_PAGE_CHOICES};
use crate::server_fns::AppError;

pub const BUTTON_CLASSES: &str = "inline-flex items-center justify-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-50";
pub const SECONDARY_BUTTON_CLASSES: &str = "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2";
pub const DANGER_BUTTON_CLASSES: &str = "inline-flex items-center justify-center rounded-md border border-red-200 bg-white px-2.5 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 focus-visible:ring-offset-2";
pub const INPUT_CLASSES: &str = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500";
pub const LABEL_CLASSES: &str = "block text-sm font-medium text-slate-700";
pub const CARD_CLASSES: &str = "rounded-lg border border-slate-200 bg-white p-4 shadow-sm";
pub const TABLE_CLASSES: &str = "min-w-full divide-y divide-slate-200 text-left text-sm";
pub const TH_CLASSES: &str =
    "px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500";
pub const TD_CLASSES: &str = "px-3 py-2 align-top";
pub const BADGE_GREEN_CLASSES: &str =
    "inline-flex rounded-full bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800";
pub const BADGE_GREY_CLASSES: &str =
    "inline-flex rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700";
pub const BADGE_AMBER_CLASSES: &str =
    "inline-flex rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800";
pub const BADGE_RED_CLASSES: &str =
    "inline-flex rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800";

/// The page's heading and a sentence on what it is for.
#[component]
pub fn PageHeader(title: &'static str, #[prop(into)] summary: String) -> impl IntoView {
    view! {
        <div class="mb-6">
            <h1 class="text-2xl font-bold tracking-tight">{title}</h1>
            <p class="mt-1 text-slate-600">{summary}</p>
        </div>
    }
}

/// An error from the server, said plainly. A lost session gets a way back in.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
            {match error {
                AppError::SignedOut => {
                    view! {
                        "Your session has ended. "
                        <a class="font-medium underline" href="/login">
                            "Sign in again"
                        </a>
                    }
                        .into_any()
                }
                other => other.to_string().into_any(),
            }}
        </div>
    }
}

/// The error of a form's last submission, if it failed. A refused field is named in
/// `data-field`, so the page (and its tests) can tell which input to correct.
#[component]
pub fn FormError<A>(action: ServerAction<A>) -> impl IntoView
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::err).map(|error| {
            let field = match &error {
                AppError::Invalid { field, .. } => Some(field.clone()),
                _ => None,
            };
            view! {
                <p role="alert" class="mt-2 text-sm text-red-700" data-testid="form-error" data-field=field>
                    {error.to_string()}
                </p>
            }
        })
    }
}

/// Shown where a list has nothing in it yet.
#[component]
pub fn EmptyState(title: &'static str, #[prop(into)] hint: String) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-dashed border-slate-300 p-8 text-center">
            <p class="font-medium text-slate-700">{title}</p>
            <p class="mt-1 text-sm text-slate-500">{hint}</p>
        </div>
    }
}

/// A field for choosing a new password, held to the domain's minimum length.
#[component]
pub fn NewPasswordField(name: &'static str, label: &'static str) -> impl IntoView {
    use crate::domain::identity::Password;
    view! {
        <div>
            <label for="new-password" class=LABEL_CLASSES>{label}</label>
            <input
                id="new-password"
                name=name
                type="password"
                autocomplete="new-password"
                required
                minlength=Password::MIN_LENGTH.to_string()
                class=format!("{INPUT_CLASSES} mt-1")
            />
            <p class="mt-1 text-xs text-slate-500">
                {format!("At least {} characters.", Password::MIN_LENGTH)}
            </p>
        </div>
    }
}

/// The previous/next links under a paged list, beside what the page holds ("Page 2 of 5 · 93
/// users"); a link is left out where there is no such page.
#[component]
pub fn Pager(
    #[prop(into)] summary: String,
    previous: Option<String>,
    next: Option<String>,
    #[prop(default = "Pages")] label: &'static str,
) -> impl IntoView {
    view! {
        <nav aria-label=label class="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
            <span>{summary}</span>
            <span class="flex gap-4">
                {previous.map(|href| view! { <a href=href class="inline-block py-1 text-indigo-700 hover:underline">"← Previous"</a> })}
                {next.map(|href| view! { <a href=href class="inline-block py-1 text-indigo-700 hover:underline">"Next →"</a> })}
            </span>
        </nav>
    }
}

/// A table with a header row. An empty header is an actions column, named for screen readers
/// only. Below the `md` width each row becomes a card of stacked cells (style/input.css,
/// `[data-cards]`), so a phone never scrolls sideways; from `md` on the wrapper scrolls, and it
/// is focusable and named so that keyboard users can scroll it too.
#[component]
pub fn DataTable(
    test_id: &'static str,
    headers: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    let label = test_id.replace('-', " ");
    view! {
        <div
            role="region"
            aria-label=label
            tabindex="0"
            class="relative overflow-x-auto rounded-lg border border-slate-200 bg-white"
        >
            <table class=TABLE_CLASSES data-testid=test_id data-cards>
                <thead class="bg-slate-50">
                    <tr>
                        {headers
                            .iter()
                            .map(|header| {
                                let label = if header.is_empty() {
                                    view! { <span class="sr-only">"Actions"</span> }.into_any()
                                } else {
                                    header.into_any()
                                };
                                view! { <th scope="col" class=TH_CLASSES>{label}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}

/// A stored UTC time as a `<time>`: the server renders it in UTC (`2026-11-23 14:05 UTC`);
/// once the page has hydrated, the browser shows it in its own time zone, with the UTC text
/// kept in the tooltip. The change is made by an effect, which runs only after hydration, so
/// the server's HTML and the first client render always agree.
#[component]
pub fn LocalTime(#[prop(into)] stored: String) -> impl IntoView {
    let utc = short_time(&stored);
    let shown = RwSignal::new(utc.clone());
    #[cfg(feature = "hydrate")]
    {
        let stored = stored.clone();
        Effect::new(move |_| {
            if let Some(local) = browser_local_time(&stored) {
                shown.set(local);
            }
        });
    }
    view! { <time datetime=stored title=utc data-local-time="">{move || shown.get()}</time> }
}

/// `2026-11-23 15:05 UTC+1` in the browser's time zone; `None` for an unreadable time.
#[cfg(feature = "hydrate")]
fn browser_local_time(stored: &str) -> Option<String> {
    use leptos::web_sys::js_sys::Date;
    // Whole seconds are enough, and every engine reads this form.
    let iso = format!("{}Z", stored.get(..19)?);
    let date = Date::new(&leptos::wasm_bindgen::JsValue::from_str(&iso));
    if date.get_time().is_nan() {
        return None;
    }
    // getTimezoneOffset is minutes *behind* UTC: -60 for UTC+1.
    let offset = -(date.get_timezone_offset() as i64);
    let (sign, offset) = if offset < 0 { ('-', -offset) } else { ('+', offset) };
    let zone = match (offset / 60, offset % 60) {
        (0, 0) => "UTC".to_owned(),
        (hours, 0) => format!("UTC{sign}{hours}"),
        (hours, minutes) => format!("UTC{sign}{hours}:{minutes:02}"),
    };
    Some(format!(
        "{:04}-{:02}-{:02} {:02}:{:02} {zone}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
    ))
}

/// A column of a [`SortedDataTable`]: its heading and, when the list sorts by it, its sort key.
pub type Column = (&'static str, Option<&'static str>);

/// A [`DataTable`] whose sortable headings are links (`?sort=key&dir=…`), so that sorting
/// works without JavaScript. The sorted column carries `aria-sort`; following its link again
/// turns the order round. `href` builds a link from a key and a direction.
#[component]
pub fn SortedDataTable(
    test_id: &'static str,
    columns: &'static [Column],
    /// The key and direction the list is sorted by now.
    sorted: (&'static str, SortDir),
    href: Callback<(&'static str, SortDir), String>,
    children: Children,
) -> impl IntoView {
    let label = test_id.replace('-', " ");
    view! {
        <div
            role="region"
            aria-label=label
            tabindex="0"
            class="relative overflow-x-auto rounded-lg border border-slate-200 bg-white"
        >
            <table class=TABLE_CLASSES data-testid=test_id data-cards>
                <thead class="bg-slate-50">
                    <tr>
                        {columns
                            .iter()
                            .map(|(heading, key)| {
                                let aria = key.filter(|key| *key == sorted.0).map(|_| sorted.1.aria());
                                let inner = match key {
                                    _ if heading.is_empty() => view! { <span class="sr-only">"Actions"</span> }.into_any(),
                                    None => heading.into_any(),
                                    Some(key) => {
                                        let (dir, mark) = if *key == sorted.0 {
                                            (sorted.1.flipped(), if sorted.1 == SortDir::Asc { " ▲" } else { " ▼" })
                                        } else {
                                            (SortDir::Asc, "")
                                        };
                                        view! {
                                            <a href=href.run((key, dir)) class="inline-block py-1 hover:text-indigo-700 hover:underline" data-sort=*key>
                                                {*heading}<span aria-hidden="true">{mark}</span>
                                            </a>
                                        }.into_any()
                                    }
                                };
                                view! { <th scope="col" class=TH_CLASSES aria-sort=aria>{inner}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}

/// The status filter and page size of a sortable list, as a GET form that keeps the other
/// query parameters (`keep`) and the sort. Works without JavaScript. A list without statuses
/// offers the page size alone.
#[component]
pub fn ListControls(
    /// What the form filters, for its accessible name (`Filter users`).
    label: &'static str,
    statuses: &'static [&'static str],
    status: Option<&'static str>,
    per_page: i64,
    /// Other parameters to keep: `(name, value)`; empty values are left out.
    keep: Vec<(String, String)>,
    /// An id prefix, unique on the page.
    id: &'static str,
    /// Before the fields' names, for the second list on a page (`f` names `fper_page`).
    #[prop(optional)]
    prefix: &'static str,
) -> impl IntoView {
    let status_id = format!("{id}-status");
    let size_id = format!("{id}-per-page");
    let status_field = (!statuses.is_empty()).then(|| {
        view! {
            <div>
                <label for=status_id.clone() class=LABEL_CLASSES>"Status"</label>
                <select id=status_id name=format!("{prefix}status") class=format!("{INPUT_CLASSES} mt-1")>
                    <option value="">"All"</option>
                    {statuses
                        .iter()
                        .map(|name| view! { <option value=*name selected=status == Some(*name)>{*name}</option> })
                        .collect_view()}
                </select>
            </div>
        }
    });
    view! {
        <form method="get" class="my-3 flex flex-wrap items-end gap-3" aria-label=label data-testid=format!("{id}-controls")>
            {keep
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
                .collect_view()}
            {status_field}
            <div>
                <label for=size_id.clone() class=LABEL_CLASSES>"Per page"</label>
                <select id=size_id name=format!("{prefix}per_page") class=format!("{INPUT_CLASSES} mt-1")>
                    {PER_PAGE_CHOICES
                        .iter()
                        .map(|size| view! { <option value=size.to_string() selected=*size == per_page>{size.to_string()}</option> })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Show"</button>
        </form>
    }
}

/// `2026-11-23T14:05:09.123456Z` → `2026-11-23 14:05 UTC`.
pub fn short_time(stored: &str) -> String {
    match (stored.get(..10), stored.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => stored.to_owned(),
    }
}

/// Percent-encodes a path segment or query value.
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shortened_to_the_minute() {
        assert_eq!(short_time("2026-11-23T14:05:09.123456Z"), "2026-11-23 14:05 UTC");
        assert_eq!(short_time("bad"), "bad");
    }
}
