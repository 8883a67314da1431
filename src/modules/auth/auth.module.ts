import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AdminGuard, AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

/** Bearer-token authentication on every route, and the admin role guard. */
@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: ({ jwt }: AppConfig) => ({
        secret: jwt.secret,
        signOptions: { algorithm: 'HS256', expiresIn: jwt.expiresInSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_GUARD, useClass: AdminGuard }],
})
export class AuthModule {}
