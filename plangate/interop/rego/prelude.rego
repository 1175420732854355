# What every exported template shares: the admitted object, where a pod controller keeps its
# pod template's metadata, and metadata values as text (as plangate's Kubernetes loader reads them).
obj := input.review.object

_as_map(x) := x if is_object(x)

_as_map(x) := {} if not is_object(x)

_text(v) := v if is_string(v)

_text(v) := "" if is_null(v)

_text(v) := sprintf("%v", [v]) if {
	not is_string(v)
	not is_null(v)
}

_texts(m) := {k: _text(v) | some k, v in _as_map(m)}

_has(m, key) if {
	_ = m[key]
}

_template_path := ["spec", "jobTemplate", "spec", "template", "metadata"] if obj.kind == "CronJob"

_template_path := ["spec", "template", "metadata"] if obj.kind in _pod_template_kinds

is_pod_controller if _template_path

# labels / annotations of the pod template ({} for kinds without one)
pod_meta(part) := _texts(object.get(_as_map(object.get(obj, _template_path, {})), part, {})) if is_pod_controller

pod_meta(_) := {} if not is_pod_controller

# labels / annotations of the object itself
own_meta(part) := _texts(object.get(_as_map(object.get(obj, "metadata", {})), part, {}))

# a canonical type (kubernetes_stateful_set) names this object's kind (StatefulSet)
_kind_is(t) if lower(replace(trim_prefix(t, "kubernetes_"), "_", "")) == lower(obj.kind)

_kind_is(t) if t == "kubernetes_*"

applies if {
	some t in _rule_kinds
	_kind_is(t)
}
