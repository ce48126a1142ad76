//! Discord's limits on what a message, an interaction answer and a modal
//! may hold, as its documentation states them (where the OpenAPI spec is
//! looser, the docs win: NOTES.md). Each broken limit is a form error at a
//! path, which the fake answers as Discord does: 400, code 50035 "Invalid
//! Form Body", with the codes nested in `errors`.

use serde_json::{json, Value};

/// One broken rule: where (`["components", "0", "label"]`), Discord's code
/// for it, and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub path: Vec<String>,
    pub code: &'static str,
    pub message: String,
}

impl FormError {
    fn new(path: &[&str], code: &'static str, message: impl Into<String>) -> FormError {
        FormError { path: path.iter().map(|s| s.to_string()).collect(), code, message: message.into() }
    }

    fn at(mut self, prefix: &[String]) -> FormError {
        let mut p = prefix.to_vec();
        p.append(&mut self.path);
        self.path = p;
        self
    }
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.path.join("."), self.message, self.code)
    }
}

/// Discord's 50035 body: `{"code":50035,"message":"Invalid Form Body","errors":{…}}`.
pub fn invalid_form_body(errors: &[FormError]) -> Value {
    let mut tree = json!({});
    for e in errors {
        let mut node = &mut tree;
        for seg in &e.path {
            node = node.as_object_mut().expect("object").entry(seg.clone()).or_insert_with(|| json!({}));
        }
        let list = node.as_object_mut().expect("object").entry("_errors").or_insert_with(|| json!([]));
        list.as_array_mut().expect("array").push(json!({"code": e.code, "message": e.message}));
    }
    json!({"code": 50035, "message": "Invalid Form Body", "errors": tree})
}

fn chars(v: &Value) -> usize {
    v.as_str().map(|s| s.chars().count()).unwrap_or(0)
}

fn max_len(errors: &mut Vec<FormError>, path: &[&str], v: &Value, max: usize) {
    let n = chars(v);
    if n > max {
        errors.push(FormError::new(path, "BASE_TYPE_MAX_LENGTH", format!("Must be {max} or fewer in length (is {n}).")));
    }
}

fn items(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// Embeds: at most 10; title 256, description 4096, 25 fields (name 256,
/// value 1024), footer 2048, author name 256; 6000 characters in all.
fn embeds(list: &Value) -> Vec<FormError> {
    let mut errors = vec![];
    let list = items(list);
    if list.len() > 10 {
        errors.push(FormError::new(&[], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."));
    }
    let mut total = 0;
    for (i, e) in list.iter().enumerate() {
        let i = i.to_string();
        let mut local = vec![];
        max_len(&mut local, &["title"], &e["title"], 256);
        max_len(&mut local, &["description"], &e["description"], 4096);
        max_len(&mut local, &["footer", "text"], &e["footer"]["text"], 2048);
        max_len(&mut local, &["author", "name"], &e["author"]["name"], 256);
        total += chars(&e["title"]) + chars(&e["description"]) + chars(&e["footer"]["text"]) + chars(&e["author"]["name"]);
        let fields = items(&e["fields"]);
        if fields.len() > 25 {
            local.push(FormError::new(&["fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."));
        }
        for (k, f) in fields.iter().enumerate() {
            let k = k.to_string();
            max_len(&mut local, &["fields", &k, "name"], &f["name"], 256);
            max_len(&mut local, &["fields", &k, "value"], &f["value"], 1024);
            if chars(&f["name"]) == 0 || chars(&f["value"]) == 0 {
                local.push(FormError::new(&["fields", &k], "BASE_TYPE_REQUIRED", "A field needs a name and a value."));
            }
            total += chars(&f["name"]) + chars(&f["value"]);
        }
        errors.extend(local.into_iter().map(|e| e.at(std::slice::from_ref(&i))));
    }
    if total > 6000 {
        errors.push(FormError::new(&[], "MAX_EMBED_SIZE_EXCEEDED", format!("Embed size exceeds maximum size of 6000 ({total}).")));
    }
    errors
}

/// Message components: at most 5 action rows of at most 5 buttons or one
/// select; custom ids 100, button labels 80, select placeholders 150, at
/// most 25 options (label and value 100).
fn components(list: &Value) -> Vec<FormError> {
    let mut errors = vec![];
    let rows = items(list);
    if rows.len() > 5 {
        errors.push(FormError::new(&[], "BASE_TYPE_MAX_LENGTH", format!("Must be 5 or fewer in length (is {}).", rows.len())));
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r.to_string();
        let inner = items(&row["components"]);
        if inner.len() > 5 {
            errors.push(FormError::new(&[&r, "components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."));
        }
        let selects = inner.iter().filter(|c| c["type"].as_u64().is_some_and(|t| (3..=8).contains(&t))).count();
        if selects > 0 && inner.len() > 1 {
            errors.push(FormError::new(&[&r, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select fills its row alone."));
        }
        for (c, comp) in inner.iter().enumerate() {
            let c = c.to_string();
            let mut local = vec![];
            // Link buttons (style 5) carry a URL instead of a custom id.
            if comp["style"] != 5 {
                if chars(&comp["custom_id"]) == 0 {
                    local.push(FormError::new(&["custom_id"], "BASE_TYPE_REQUIRED", "This field is required."));
                }
                max_len(&mut local, &["custom_id"], &comp["custom_id"], 100);
            }
            max_len(&mut local, &["label"], &comp["label"], 80);
            max_len(&mut local, &["placeholder"], &comp["placeholder"], 150);
            let options = items(&comp["options"]);
            if options.len() > 25 {
                local.push(FormError::new(&["options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."));
            }
            for (o, opt) in options.iter().enumerate() {
                let o = o.to_string();
                max_len(&mut local, &["options", &o, "label"], &opt["label"], 100);
                max_len(&mut local, &["options", &o, "value"], &opt["value"], 100);
            }
            let prefix = [r.clone(), "components".to_string(), c];
            errors.extend(local.into_iter().map(|e| e.at(&prefix)));
        }
    }
    errors
}

/// `allowed_mentions`: a type may be parsed or listed, not both.
fn allowed_mentions(am: &Value) -> Vec<FormError> {
    let mut errors = vec![];
    let parse = items(&am["parse"]);
    for kind in ["users", "roles"] {
        if parse.iter().any(|p| p == kind) && !items(&am[kind]).is_empty() {
            errors.push(FormError::new(
                &["parse"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                format!("parse:[\"{kind}\"] and {kind}: [ids] are mutually exclusive."),
            ));
        }
    }
    errors
}

/// What a message body (a post, an edit, an interaction's message answer)
/// may hold. `new` messages may not be empty; `files` are its uploads.
pub fn message(body: &Value, new: bool, files: usize) -> Vec<FormError> {
    let mut errors = vec![];
    max_len(&mut errors, &["content"], &body["content"], 2000);
    errors.extend(embeds(&body["embeds"]).into_iter().map(|e| e.at(&["embeds".into()])));
    errors.extend(components(&body["components"]).into_iter().map(|e| e.at(&["components".into()])));
    errors.extend(allowed_mentions(&body["allowed_mentions"]).into_iter().map(|e| e.at(&["allowed_mentions".into()])));
    let has_content = chars(&body["content"]) > 0;
    let has_embeds = !items(&body["embeds"]).is_empty();
    let has_files = files > 0 || !items(&body["attachments"]).is_empty();
    if new && !has_content && !has_embeds && !has_files && items(&body["components"]).is_empty() {
        errors.push(FormError::new(&[], "EMPTY_MESSAGE", "Cannot send an empty message"));
    }
    errors
}

/// A modal (interaction answer type 9): title 45, custom id 100, one to
/// five text inputs (label 45, custom id 100, lengths up to 4000,
/// placeholder 100).
pub fn modal(data: &Value) -> Vec<FormError> {
    let mut errors = vec![];
    max_len(&mut errors, &["title"], &data["title"], 45);
    max_len(&mut errors, &["custom_id"], &data["custom_id"], 100);
    if chars(&data["title"]) == 0 {
        errors.push(FormError::new(&["title"], "BASE_TYPE_REQUIRED", "This field is required."));
    }
    let rows = items(&data["components"]);
    if rows.is_empty() || rows.len() > 5 {
        errors.push(FormError::new(
            &["components"],
            "BASE_TYPE_BAD_LENGTH",
            format!("Must be between 1 and 5 in length (is {}).", rows.len()),
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r.to_string();
        for (c, input) in items(&row["components"]).iter().enumerate() {
            let c = c.to_string();
            let p = |f: &'static str| -> Vec<&str> { vec!["components", &r, "components", &c, f] };
            max_len(&mut errors, &p("label"), &input["label"], 45);
            max_len(&mut errors, &p("custom_id"), &input["custom_id"], 100);
            max_len(&mut errors, &p("placeholder"), &input["placeholder"], 100);
            max_len(&mut errors, &p("value"), &input["value"], 4000);
            if input["max_length"].as_u64().is_some_and(|m| !(1..=4000).contains(&m)) {
                errors.push(FormError::new(&p("max_length"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 4000."));
            }
        }
    }
    errors
}

/// Discord's upload limit for a bot without boosts: 10 files, 10 MiB.
pub const MAX_FILES: usize = 10;
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_nest_under_their_path_as_discord_sends_them() {
        let body = invalid_form_body(&[FormError::new(&["components", "0", "label"], "BASE_TYPE_MAX_LENGTH", "too long")]);
        assert_eq!(body["code"], 50035);
        assert_eq!(body["errors"]["components"]["0"]["label"]["_errors"][0]["code"], "BASE_TYPE_MAX_LENGTH");
    }
}
