# Required labels / annotations, each with a regular expression its value must match ('' = any
# non-empty value), read on the pod template of pod controllers when pod_template is set.
_noun := {"labels": "label", "annotations": "annotation"}

_selected if {
	applies
	some t in input.parameters.kinds
	_kind_is(t)
}

_values(part) := pod_meta(part) if {
	input.parameters.pod_template
	is_pod_controller
}

_values(part) := own_meta(part) if {
	not input.parameters.pod_template
}

_values(part) := own_meta(part) if {
	not is_pod_controller
}

_missing(part) := [item.key | some item in input.parameters[part]; not _has(_values(part), item.key)]

_empty(part) := [item.key | some item in input.parameters[part]; trim_space(_values(part)[item.key]) == ""]

violation contains {"msg": msg} if {
	_selected
	some part in ["labels", "annotations"]
	missing := _missing(part)
	count(missing) > 0
	msg := sprintf("missing %ss: %s", [_noun[part], concat(", ", missing)])
}

violation contains {"msg": msg} if {
	_selected
	some part in ["labels", "annotations"]
	empty := _empty(part)
	count(empty) > 0
	msg := sprintf("empty %s values: %s", [_noun[part], concat(", ", empty)])
}

violation contains {"msg": msg} if {
	_selected
	some part in ["labels", "annotations"]
	some item in input.parameters[part]
	item.value != ""
	value := _values(part)[item.key]
	trim_space(value) != ""
	not regex.match(sprintf("^(?:%s)$", [item.value]), value)
	msg := sprintf("%s %s='%s' does not match %s", [_noun[part], item.key, value, item.value])
}
