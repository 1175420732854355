# A workload whose risk tier annotation (object or pod template) is the prohibited tier is denied.
_meta := object.union(pod_meta("annotations"), own_meta("annotations"))

violation contains {"msg": msg} if {
	applies
	tier := object.get(_meta, concat("", [input.parameters.prefix, "risk-tier"]), "")
	lower(trim_space(tier)) == _prohibited
	msg := sprintf("risk tier is '%s': a prohibited AI practice under the EU AI Act (Art. 5)", [_prohibited])
}
