// A native gRPC client for benchmarks/policypack_bench.py, standing in for the Pulumi engine
// (a Go client): after WARMUP calls, sends each pre-serialised AnalyzeRequest of a file, one
// after another, as a real unary pulumirpc.Analyzer/Analyze call, then as many empty
// GetPluginInfo calls, and prints each round trip in ms as "<method> <ms>", one a line.
// Requests are length-prefixed (little-endian uint32) bytes, so no generated code is needed.
//
//   g++ -O2 -std=c++17 policypack_native_client.cc -o client $(pkg-config --cflags --libs grpc++)
//   ./client 127.0.0.1:PORT requests.bin WARMUP
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Call(grpc::Channel* channel, const grpc::internal::RpcMethod& method, const std::string& body) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::Status status =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(channel, method, &context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", method.name(), status.error_message().c_str());
    std::exit(1);
  }
}

void Time(grpc::Channel* channel, const char* name, const std::vector<std::string>& bodies, size_t warmup) {
  grpc::internal::RpcMethod method(name, grpc::internal::RpcMethod::NORMAL_RPC);
  for (size_t i = 0; i < warmup; i++) Call(channel, method, bodies[i % bodies.size()]);
  std::vector<double> took;
  for (const std::string& body : bodies) {
    double began = Now();
    Call(channel, method, body);
    took.push_back(Now() - began);
  }
  for (double t : took) std::printf("%s %.6f\n", name, t * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s HOST:PORT REQUESTS WARMUP\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<std::string> requests;
  uint32_t size;
  while (in.read(reinterpret_cast<char*>(&size), 4)) {
    std::string body(size, '\0');
    in.read(&body[0], size);
    requests.push_back(body);
  }
  if (requests.empty()) return 2;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(400 << 20);
  auto channel = grpc::CreateCustomChannel(argv[1], grpc::InsecureChannelCredentials(), args);
  size_t warmup = std::strtoul(argv[3], nullptr, 10);
  Time(channel.get(), "/pulumirpc.Analyzer/Analyze", requests, warmup);
  Time(channel.get(), "/pulumirpc.Analyzer/GetPluginInfo", std::vector<std::string>(requests.size()), warmup);
  return 0;
}
