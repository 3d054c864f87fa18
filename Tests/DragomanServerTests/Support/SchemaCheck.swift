import DragomanCore

/// Checks a JSON value against the parts of an OpenAPI schema the tests rely on: `$ref`, the
/// `required` properties of objects (recursively) and the items of arrays.
struct SchemaCheck {
    /// The whole OpenAPI document, for `$ref`.
    let document: JSONValue

    /// The schema a `$ref` like `#/components/schemas/Error` points to.
    func resolve(_ schema: JSONValue) -> JSONValue {
        guard let reference = schema["$ref"]?.stringValue, reference.hasPrefix("#/") else { return schema }
        let target = reference.dropFirst(2).split(separator: "/").reduce(Optional(document)) { node, key in node?[String(key)] }
        return target.map(resolve) ?? schema
    }

    /// What `value` lacks of `schema`, as JSON paths; empty when it conforms.
    func problems(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        let schema = resolve(schema)
        var problems: [String] = []
        if case .array(let names) = schema["required"], case .object(let members) = value {
            for case .string(let name) in names where members[name] == nil { problems.append("\(path).\(name) is missing") }
        }
        if case .object(let properties) = schema["properties"], case .object(let members) = value {
            for (name, propertySchema) in properties {
                if let member = members[name] { problems += self.problems(member, propertySchema, at: "\(path).\(name)") }
            }
        }
        if let items = schema["items"], case .array(let elements) = value {
            for (index, element) in elements.enumerated() { problems += self.problems(element, items, at: "\(path)[\(index)]") }
        }
        switch (schema["type"]?.stringValue, value) {
        case ("object", .object), ("array", .array), (nil, _): break
        case ("object", _): problems.append("\(path) is not an object")
        case ("array", _): problems.append("\(path) is not an array")
        default: break
        }
        return problems
    }
}
