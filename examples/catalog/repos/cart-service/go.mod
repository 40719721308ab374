module github.com/globex/cart-service

go 1.22

require (
	github.com/redis/go-redis/v9 v9.5.1
	google.golang.org/grpc v1.63.2
)
