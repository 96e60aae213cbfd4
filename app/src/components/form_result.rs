//! What a form posted without JavaScript did. The server answers such a post with a redirect
//! back to the page, adding `done=<server function>` when it worked (see the server's
//! `mark_form_success`) or server_fn's own error when it failed (each page shows that one
//! under its form). This says that it worked, in words.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// The message for a server function that succeeded; `None` for reads and unknown names.
pub fn done_message(endpoint: &str) -> Option<&'static str> {
    Some(match endpoint {
        "share_files" => "Shared.",
        "revoke_share" => "Share revoked.",
        "share_access" => "Access changed.",
        "request_file" => "Request sent.",
        "answer_request" => "Request answered.",
        "withdraw_request" => "Request withdrawn.",
        "mark_read" => "Marked as read.",
        "create_token" => "Token created.",
        "revoke_token" => "Token revoked.",
        "extend_share" => "Share saved.",
        "rename_account_share" => "Share renamed.",
        "set_account_share_expiry" => "Expiry saved.",
        "delete_account_share" => "Share deleted.",
        "add_partner" => "Partner added.",
        "partner_user_limit" => "User limit saved.",
        "partner_add_user" => "Person assigned.",
        "partner_remove_user" => "Person removed.",
        "partner_role" => "Role assigned.",
        "partner_share" => "Shared with the partner.",
        "partner_offer" => "Offer made.",
        "partner_delete" => "Partner deleted.",
        "save_role" => "Role saved.",
        "delete_role" => "Role deleted.",
        "answer_offer" => "Answer saved.",
        "add_user" => "Person added.",
        "change_user_role" => "Role changed.",
        "set_user_active" => "Account updated.",
        "reset_user_password" => "Password link made.",
        "change_own_password" => "Password changed.",
        "save_email_settings" => "Email settings saved.",
        "create_webhook" => "Webhook created.",
        "update_webhook" => "Webhook saved.",
        "set_webhook_enabled" => "Webhook updated.",
        "rotate_webhook_secret" => "Secret rotated: the old one no longer works.",
        "delete_webhook" => "Webhook deleted.",
        "send_test_webhook" => "Test event sent.",
        "resend_webhook_delivery" => "Delivery queued again.",
        _ => return None,
    })
}

/// The message of a successful plain form post, shown in the frame's live region (with
/// JavaScript, forms do not leave the page and [`use_feedback`] says it instead). It can be
/// dismissed by a link to the same page without `done`.
///
/// [`use_feedback`]: crate::components::feedback::use_feedback
#[component]
pub fn FormDone() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    move || {
        let text = query.read().get("done").and_then(|endpoint| done_message(&endpoint))?;
        let mut rest = query.get();
        rest.remove("done");
        let back = format!("{}{}", location.pathname.get(), rest.to_query_string());
        Some(view! {
            <p
                data-testid="form-done"
                class="mb-4 flex items-start justify-between gap-3 rounded-md border border-green-200 bg-green-50 p-3 text-sm text-green-800"
            >
                <span>{text}</span>
                <a href=back class="font-medium text-green-900 underline" aria-label="Dismiss the message">
                    "Dismiss"
                </a>
            </p>
        })
    }
}
