//! serde's messages about a value of the wrong kind ("invalid type: integer `5`, expected a
//! string"), said in an operator's words and naming the key: "`default_track` must be text
//! in quotes, found 5". The messages briefbot writes itself pass through unchanged.

/// `message`, about the value at byte `offset` of the config `text`, in an operator's words.
pub(super) fn plain(message: &str, text: &str, offset: usize) -> String {
    let key = key_at(text, offset);
    let key = key.as_deref().unwrap_or("this setting");
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
        && let Some(wanted) = wanted(expected)
    {
        return format!(
            "`{key}` must be {wanted}, found {}",
            found_as_written(found)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let choices = expected.strip_prefix("one of ").unwrap_or(expected);
        return format!("`{key}` must be one of {choices}, found {found}");
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!("`{key}` has no `{field}`, which it needs");
    }
    message.to_string()
}

/// What serde's "expected …" asks for, as the config writes it.
fn wanted(expected: &str) -> Option<&'static str> {
    Some(match expected {
        "a string" | "path string" => "text in quotes",
        "a sequence" => "a list in brackets, [ … ]",
        "a boolean" => "true or false",
        _ if expected.starts_with("struct ") || expected == "a map" => "a table",
        _ => return None,
    })
}

/// serde's "integer `5`", "string \"x\"", "sequence", as the value is written in the file.
fn found_as_written(found: &str) -> String {
    for kind in ["integer ", "floating point ", "boolean "] {
        if let Some(value) = found.strip_prefix(kind) {
            return value.trim_matches('`').to_string();
        }
    }
    if let Some(value) = found.strip_prefix("string ") {
        return value.to_string();
    }
    match found {
        "sequence" => "a list".to_string(),
        "map" => "a table".to_string(),
        other => other.to_string(),
    }
}

/// The key whose value is at `offset`: the dotted name of the table and the key, as in
/// `announce.channels`; none on a line that sets no key.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    if let Some(table) = header(line) {
        return Some(table.to_string());
    }
    let key = line.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('[') || key.contains(['"', '\'', ' ']) {
        return None;
    }
    let table = text[..line_start].lines().rev().find_map(header);
    Some(match table {
        Some(table) => format!("{table}.{key}"),
        None => key.to_string(),
    })
}

/// The table a `[name]` or `[[name]]` line opens.
fn header(line: &str) -> Option<&str> {
    let line = line.trim();
    let name = line.strip_prefix("[[").and_then(|h| h.strip_suffix("]]"));
    let name = name.or_else(|| line.strip_prefix('[').and_then(|h| h.strip_suffix(']')));
    name.map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_of_the_wrong_kind_is_named_by_its_key() {
        let text = "default_track = 5\n\n[discord]\npublic_key = [1]\n\n[[announce.target]]\nmode = \"forums\"\n";
        let at = |needle: &str| text.find(needle).expect("in the text");
        assert_eq!(
            plain(
                "invalid type: integer `5`, expected a string",
                text,
                at("5")
            ),
            "`default_track` must be text in quotes, found 5"
        );
        assert_eq!(
            plain("invalid type: sequence, expected a string", text, at("[1]")),
            "`discord.public_key` must be text in quotes, found a list"
        );
        assert_eq!(
            plain(
                "unknown variant `forums`, expected one of `message`, `thread`, `forum`",
                text,
                at("\"forums\"")
            ),
            "`announce.target.mode` must be one of `message`, `thread`, `forum`, found `forums`"
        );
        assert_eq!(
            plain(
                "invalid type: string \"x\", expected a sequence",
                "follow = \"x\"\n",
                9
            ),
            "`follow` must be a list in brackets, [ … ], found \"x\""
        );
        assert_eq!(
            plain("missing field `role`", "[[follow]]\nserver = 1\n", 0),
            "`follow` has no `role`, which it needs"
        );
        assert_eq!(
            plain("`serve.listen` must be …", text, 0),
            "`serve.listen` must be …",
            "briefbot's own messages are left as they are"
        );
    }
}
