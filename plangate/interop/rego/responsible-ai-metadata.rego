# An AI inference workload (selected by its labels or its pod template's) records the
# responsible-AI metadata as annotations (on the object or its pod template), under a prefix.
_labels := object.union(pod_meta("labels"), own_meta("labels"))

_meta := object.union(pod_meta("annotations"), own_meta("annotations"))

_pair_ok(item) if item.value == ""

_pair_ok(item) if _labels[item.key] == item.value

_selected if {
	applies
	count(input.parameters.selector) > 0
	every item in input.parameters.selector {
		_has(_labels, item.key)
		_pair_ok(item)
	}
}

_key(k) := concat("", [input.parameters.prefix, k])

_meaning_of(k) := object.get(_meaning, k, k)

violation contains {"msg": msg} if {
	_selected
	some k in input.parameters.required
	not _has(_meta, _key(k))
	msg := sprintf("missing %s (%s)", [_key(k), _meaning_of(k)])
}

violation contains {"msg": msg} if {
	_selected
	some k in input.parameters.required
	trim_space(_meta[_key(k)]) == ""
	msg := sprintf("empty %s (%s)", [_key(k), _meaning_of(k)])
}

violation contains {"msg": msg} if {
	_selected
	some k in input.parameters.required
	k in _url_keys
	value := _meta[_key(k)]
	trim_space(value) != ""
	not regex.match(sprintf("^(?:%s)$", [_url]), trim_space(value))
	msg := sprintf("%s='%s' is not a URL", [_key(k), value])
}

violation contains {"msg": msg} if {
	_selected
	tier := _meta[_key("risk-tier")]
	trim_space(tier) != ""
	tier != _prohibited
	not tier in input.parameters.risk_tiers
	msg := sprintf("%s='%s' is not one of: %s", [_key("risk-tier"), tier, concat(", ", input.parameters.risk_tiers)])
}

violation contains {"msg": msg} if {
	_selected
	_meta[_key("risk-tier")] == "high"
	some k in input.parameters.high_risk_required
	trim_space(object.get(_meta, _key(k), "")) == ""
	msg := sprintf("missing %s (%s), required for high risk", [_key(k), _meaning_of(k)])
}
