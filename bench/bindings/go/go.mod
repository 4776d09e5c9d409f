module librootly.dev/bench

go 1.22

require librootly.dev/rootly v0.1.0

replace librootly.dev/rootly => ../../../bindings/go
