module librootly.dev/rootly

go 1.22
