//! Checks request bodies against Discord's OpenAPI spec
//! (`tests/fixtures/discord/openapi.json`, vendored), so a malformed request fails the
//! test instead of passing unnoticed. A small JSON-Schema subset: `$ref`,
//! `type`, `properties`, `required`, `enum`, `const`, lengths, bounds,
//! `items`, `anyOf`/`oneOf` (as any-of: Discord's unions overlap), `allOf`,
//! and the snowflake pattern.

use serde_json::Value;
use std::path::PathBuf;

pub struct Spec {
    doc: Value,
    /// `(method, path template split on '/')`.
    routes: Vec<(String, Vec<String>, Value)>,
}

fn spec_path() -> PathBuf {
    std::env::var_os("HIKESHI_OPENAPI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord/openapi.json"))
}

impl Spec {
    pub fn load() -> Spec {
        let path = spec_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read Discord's OpenAPI spec at {} ({e}); it is vendored in tests/fixtures/discord/, or set HIKESHI_OPENAPI",
                path.display()
            )
        });
        let doc: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
        let mut routes = vec![];
        if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
            for (template, ops) in paths {
                let Some(ops) = ops.as_object() else { continue };
                for (method, op) in ops {
                    if let Some(body) = op.get("requestBody").and_then(|b| b.get("content")) {
                        let segs = template.trim_matches('/').split('/').map(str::to_string).collect();
                        routes.push((method.to_uppercase(), segs, body.clone()));
                    }
                }
            }
        }
        Spec { doc, routes }
    }

    /// The JSON schema of `method path`'s body, if the spec has one.
    fn body_schema(&self, method: &str, path: &str) -> Option<&Value> {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        // Prefer literal segments over {params} (`@original` vs `{message_id}`).
        let mut best: Option<(usize, &Value)> = None;
        for (m, tmpl, body) in &self.routes {
            if m != method || tmpl.len() != segs.len() {
                continue;
            }
            let mut literal = 0;
            let fits = tmpl.iter().zip(&segs).all(|(t, s)| {
                if t.starts_with('{') {
                    true
                } else if t == s {
                    literal += 1;
                    true
                } else {
                    false
                }
            });
            if fits && best.is_none_or(|(l, _)| literal > l) {
                best = Some((literal, body));
            }
        }
        best.and_then(|(_, b)| b.get("application/json")).and_then(|c| c.get("schema"))
    }

    /// Problems with a request body; empty when it conforms (or the route
    /// has no body schema).
    pub fn check(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let Some(schema) = self.body_schema(method, path) else {
            return vec![];
        };
        let mut errors = vec![];
        self.validate(schema, body, "$", &mut errors, 0);
        errors
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..20 {
            match s.get("$ref").and_then(|r| r.as_str()) {
                Some(r) => {
                    let ptr = r.trim_start_matches('#');
                    match self.doc.pointer(ptr) {
                        Some(t) => s = t,
                        None => return s,
                    }
                }
                None => return s,
            }
        }
        s
    }

    fn validate(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>, depth: usize) {
        if depth > 64 {
            return;
        }
        let s = self.resolve(schema);
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = s.get(key).and_then(|a| a.as_array()) {
                let mut best: Option<Vec<String>> = None;
                for alt in alts {
                    let mut e = vec![];
                    self.validate(alt, v, at, &mut e, depth + 1);
                    if e.is_empty() {
                        best = Some(vec![]);
                        break;
                    }
                    if best.as_ref().is_none_or(|b| e.len() < b.len()) {
                        best = Some(e);
                    }
                }
                if let Some(b) = best {
                    if !b.is_empty() {
                        errors.push(format!("{at}: matches none of the {key} alternatives; closest: {}", b.join("; ")));
                    }
                }
            }
        }
        if let Some(all) = s.get("allOf").and_then(|a| a.as_array()) {
            for sub in all {
                self.validate(sub, v, at, errors, depth + 1);
            }
        }
        // Discord reads a snowflake from a JSON integer too; its own upload
        // examples write attachment ids as `0` (the docs win over the spec).
        if s.get("format").and_then(|f| f.as_str()) == Some("snowflake") && v.as_u64().is_some() {
            return;
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
                _ => vec![],
            };
            if !types.is_empty() && !types.iter().any(|t| type_fits(t, v)) {
                errors.push(format!("{at}: expected {}, got {}", types.join(" or "), short(v)));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(|e| e.as_array()) {
            if !e.contains(v) && !v.is_null() {
                errors.push(format!("{at}: {} is not one of {}", short(v), short(&Value::Array(e.clone()))));
            }
        }
        if let Some(c) = s.get("const") {
            if c != v {
                errors.push(format!("{at}: expected {c}, got {}", short(v)));
            }
        }
        match v {
            Value::String(text) => {
                let n = text.chars().count() as u64;
                if let Some(max) = s.get("maxLength").and_then(|m| m.as_u64()) {
                    if n > max {
                        errors.push(format!("{at}: {n} characters, more than {max}"));
                    }
                }
                if let Some(min) = s.get("minLength").and_then(|m| m.as_u64()) {
                    if n < min {
                        errors.push(format!("{at}: {n} characters, fewer than {min}"));
                    }
                }
                if s.get("format").and_then(|f| f.as_str()) == Some("snowflake") && !is_snowflake(text) {
                    errors.push(format!("{at}: `{text}` is not a snowflake"));
                }
            }
            Value::Number(n) => {
                if let (Some(max), Some(x)) = (s.get("maximum").and_then(|m| m.as_f64()), n.as_f64()) {
                    if x > max {
                        errors.push(format!("{at}: {x} is more than {max}"));
                    }
                }
                if let (Some(min), Some(x)) = (s.get("minimum").and_then(|m| m.as_f64()), n.as_f64()) {
                    if x < min {
                        errors.push(format!("{at}: {x} is less than {min}"));
                    }
                }
            }
            Value::Array(items) => {
                if let Some(max) = s.get("maxItems").and_then(|m| m.as_u64()) {
                    if items.len() as u64 > max {
                        errors.push(format!("{at}: {} items, more than {max}", items.len()));
                    }
                }
                if let Some(min) = s.get("minItems").and_then(|m| m.as_u64()) {
                    if (items.len() as u64) < min {
                        errors.push(format!("{at}: {} items, fewer than {min}", items.len()));
                    }
                }
                if let Some(item) = s.get("items") {
                    for (i, x) in items.iter().enumerate() {
                        self.validate(item, x, &format!("{at}[{i}]"), errors, depth + 1);
                    }
                }
            }
            Value::Object(map) => {
                if let Some(req) = s.get("required").and_then(|r| r.as_array()) {
                    for k in req.iter().filter_map(|k| k.as_str()) {
                        if !map.contains_key(k) {
                            errors.push(format!("{at}: missing required `{k}`"));
                        }
                    }
                }
                let props = s.get("properties").and_then(|p| p.as_object());
                for (k, x) in map {
                    match props.and_then(|p| p.get(k)) {
                        Some(ps) => self.validate(ps, x, &format!("{at}.{k}"), errors, depth + 1),
                        None => {
                            if let Some(ap) = s.get("additionalProperties") {
                                if ap == &Value::Bool(false) && props.is_some() {
                                    errors.push(format!("{at}: unknown field `{k}`"));
                                } else if ap.is_object() {
                                    self.validate(ap, x, &format!("{at}.{k}"), errors, depth + 1);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn type_fits(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

/// `^(0|[1-9][0-9]*)$`, the spec's snowflake pattern.
fn is_snowflake(text: &str) -> bool {
    text == "0" || (!text.is_empty() && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()))
}
