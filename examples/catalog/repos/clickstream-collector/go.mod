module github.com/globex/clickstream-collector

go 1.21

require github.com/twmb/franz-go v1.16.1
