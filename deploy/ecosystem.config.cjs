// pm2 process file: `pm2 start deploy/ecosystem.config.cjs && pm2 save`.
module.exports = {
  apps: [
    {
      name: 'lean-order-bot',
      script: 'dist/main.js',
      cwd: `${__dirname}/..`,
      node_args: '--max-semi-space-size=2 --max-old-space-size=96 --optimize-for-size',
      max_memory_restart: '120M',
      kill_timeout: 25000,
      env: { NODE_ENV: 'production', DATA_DIR: `${__dirname}/../data` },
    },
  ],
};
